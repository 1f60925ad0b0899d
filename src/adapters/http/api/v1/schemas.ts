/** The JSON schemas of API v1: they validate input and document the answers (/api/openapi.json). */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable error code (docs/errors.md)' },
        message: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, limit: { type: 'integer' } } } },
        problems: {
          type: 'array',
          description: 'IMPORT_ROWS_INVALID: every problem of the rows, by line (1 = the CSV header; JSON rows count from 1; 0 = the file)',
          items: { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, code: { type: 'string' }, limit: { type: 'integer' } } },
        },
      },
    },
  },
} as const;

export const versionSchema = {
  type: 'object',
  properties: { lang: { type: 'string' }, title: { type: 'string' }, body: { type: 'string', description: 'Markdown' }, statement: { type: 'string', nullable: true } },
} as const;

export const letterSummary = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    state: { type: 'string', enum: ['open', 'closed'] },
    defaultLang: { type: 'string' },
    languages: { type: 'array', items: { type: 'string' } },
    title: { type: 'string', description: 'Title in the default language' },
    addressee: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string', nullable: true } } },
    goal: { type: 'integer', nullable: true },
    count: { type: 'integer', description: 'Confirmed signatures (public and hidden)' },
    counts: {
      type: 'object',
      description: 'The count by how signatures came: confirmed by email, typed in by an organiser from paper, imported from a list (not confirmed by email). They add up to count; the log\'s `sig` entries name the same sources.',
      properties: { email: { type: 'integer' }, paper: { type: 'integer' }, imported: { type: 'integer' } },
    },
    imported: { type: 'boolean' },
    urls: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const publicSignature = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    nameAlt: { type: 'string', nullable: true },
    title: { type: 'string', nullable: true },
    titleChecked: { type: 'boolean', description: 'An organiser checked the title; otherwise it is self-described' },
    country: { type: 'string', nullable: true, description: 'ISO 3166-1 alpha-2' },
    confirmedAt: { type: 'string', format: 'date-time' },
    logIndex: { type: 'integer', nullable: true, description: 'Index of this signature\'s `sig` entry in the transparency log (null until sequenced, about a second)' },
    opening: { type: 'string', nullable: true, description: 'Base64 32-byte opening of the entry\'s `name` commitment: HMAC-SHA256("undersigned/commit/v1", opening || "name" || 0x00 || UTF-8(NFC(name))); null once erased' },
    erased: { type: 'boolean', description: 'The signer\'s personal data was erased: the entry still counts, the name is gone' },
  },
} as const;

export const removalsSchema = {
  type: 'object',
  description: 'Signatures cancelled in the transparency log: by the signers themselves, and by organisers per public reason',
  properties: {
    withdrawn: { type: 'integer' },
    removed: { type: 'object', properties: { signer: { type: 'integer' }, duplicate: { type: 'integer' }, fraud: { type: 'integer' }, legal: { type: 'integer' } } },
  },
} as const;
