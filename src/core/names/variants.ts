/**
 * A small curated variant list (research §1.1: OpenSanctions puts a name-variant dictionary before fuzzy
 * matching). Two tokens with the same id are one name whatever the spelling or script; two tokens with
 * different ids are different names even when their spellings are close (Hamid/Hamed, Hassan/Hossein,
 * Mohammad/Mahmoud): this is what keeps the hard negatives apart across scripts and within Latin.
 *
 * Keep it small and about very common names: it is data, extend it when a real miss is found.
 * Latin forms are compared through `latinKey`, so doubled letters, ou/oo, kh/x… need not be listed.
 */
import { latinKey } from './latin.ts';
import { normaliseText } from './normalise.ts';

export interface VariantEntry {
  id: string;
  fa: string[];
  la: string[];
}

export const GIVEN_NAMES: VariantEntry[] = [
  { id: 'mohammad', fa: ['محمد'], la: ['mohammad', 'muhammad', 'mohammed', 'muhammed', 'mohamed', 'mohamad', 'mahomed', 'mohd'] },
  { id: 'mahmoud', fa: ['محمود'], la: ['mahmoud', 'mahmood', 'mahmud'] },
  { id: 'ahmad', fa: ['احمد'], la: ['ahmad', 'ahmed'] },
  { id: 'hamid', fa: ['حمید'], la: ['hamid', 'hameed'] },
  { id: 'hamed', fa: ['حامد'], la: ['hamed'] },
  { id: 'hossein', fa: ['حسین'], la: ['hossein', 'hosein', 'hussein', 'husein', 'hussain', 'husain', 'hosain', 'hosseyn', 'hoseyn', 'hosin'] },
  { id: 'hasan', fa: ['حسن'], la: ['hasan', 'hassan', 'hasson'] },
  { id: 'mohsen', fa: ['محسن'], la: ['mohsen', 'muhsin', 'mohsin'] },
  { id: 'ali', fa: ['علی'], la: ['ali', 'aly'] },
  { id: 'reza', fa: ['رضا'], la: ['reza', 'rida', 'riza', 'rezza'] },
  { id: 'mehdi', fa: ['مهدی'], la: ['mehdi', 'mahdi', 'mehdy'] },
  { id: 'hadi', fa: ['هادی'], la: ['hadi', 'haadi'] },
  { id: 'javad', fa: ['جواد'], la: ['javad', 'jawad'] },
  { id: 'ebrahim', fa: ['ابراهیم'], la: ['ebrahim', 'ibrahim', 'ebraheem', 'ibraheem', 'ebrahem'] },
  { id: 'esmaeil', fa: ['اسماعیل', 'اسمعیل'], la: ['esmaeil', 'esmail', 'ismail', 'esmaiel', 'ismaeel', 'esmaeel', 'ismael', 'esmaeal'] },
  { id: 'yousef', fa: ['یوسف'], la: ['yousef', 'yusuf', 'yousof', 'yusef', 'yosef', 'yousuf'] },
  { id: 'mostafa', fa: ['مصطفی'], la: ['mostafa', 'mustafa', 'mostapha', 'mustapha'] },
  { id: 'morteza', fa: ['مرتضی'], la: ['morteza', 'murtaza', 'mortaza', 'murtada'] },
  { id: 'abbas', fa: ['عباس'], la: ['abbas', 'abas'] },
  { id: 'karim', fa: ['کریم'], la: ['karim', 'kareem'] },
  { id: 'karam', fa: ['کرم'], la: ['karam'] },
  { id: 'saeed', fa: ['سعید'], la: ['saeed', 'saeid', 'said', 'saied', 'saeede'] },
  { id: 'masoud', fa: ['مسعود'], la: ['masoud', 'masood', 'masud', 'massoud'] },
  { id: 'mansour', fa: ['منصور'], la: ['mansour', 'mansoor', 'mansur'] },
  { id: 'fatemeh', fa: ['فاطمه'], la: ['fatemeh', 'fatemah', 'fateme'] },
  { id: 'zahra', fa: ['زهرا'], la: ['zahra', 'zahrah'] },
  { id: 'maryam', fa: ['مریم'], la: ['maryam', 'mariam', 'maryem', 'miriam'] },
  { id: 'jafar', fa: ['جعفر'], la: ['jafar', 'jaafar', 'jaffar', 'jafer'] },
  { id: 'sadegh', fa: ['صادق'], la: ['sadegh', 'sadiq', 'sadeq', 'sadek'] },
  { id: 'ghasem', fa: ['قاسم'], la: ['ghasem', 'qasem', 'qasim', 'ghassem', 'kasem'] },
  { id: 'kazem', fa: ['کاظم'], la: ['kazem', 'kazim', 'kadhim'] },
  { id: 'taghi', fa: ['تقی'], la: ['taghi', 'taqi', 'taqhi'] },
  { id: 'abolfazl', fa: ['ابوالفضل'], la: ['abolfazl', 'abulfazl', 'abolfazel', 'abulfadl'] },
  { id: 'omid', fa: ['امید'], la: ['omid', 'omeed'] },
  { id: 'amir', fa: ['امیر'], la: ['amir', 'ameer'] },
  { id: 'amin', fa: ['امین'], la: ['amin', 'ameen'] },
  { id: 'iman', fa: ['ایمان'], la: ['iman', 'eman'] },
  { id: 'yaser', fa: ['یاسر'], la: ['yaser', 'yasser', 'yasir'] },
  { id: 'younes', fa: ['یونس'], la: ['younes', 'yunus', 'younis', 'yunes'] },
  { id: 'mousa', fa: ['موسی'], la: ['mousa', 'musa', 'moosa', 'moussa', 'mosa'] },
  { id: 'issa', fa: ['عیسی'], la: ['issa', 'isa', 'eisa', 'eesa'] },
  { id: 'yahya', fa: ['یحیی'], la: ['yahya', 'yahia'] },
  { id: 'zeinab', fa: ['زینب'], la: ['zeinab', 'zeynab', 'zainab', 'zaynab'] },
  { id: 'masoumeh', fa: ['معصومه'], la: ['masoumeh', 'masoume', 'masoomeh', 'masuma'] },
  { id: 'roghayeh', fa: ['رقیه'], la: ['roghayeh', 'roqayeh', 'roghaye', 'ruqayya', 'roqaye'] },
  { id: 'khadijeh', fa: ['خدیجه'], la: ['khadijeh', 'khadije', 'khadija'] },
  { id: 'sakineh', fa: ['سکینه'], la: ['sakineh', 'sakine', 'sakina'] },
  { id: 'soheil', fa: ['سهیل'], la: ['soheil', 'sohail', 'suhail'] },
  { id: 'soheila', fa: ['سهیلا'], la: ['soheila', 'sohaila', 'suhaila'] },
  { id: 'rahman', fa: ['رحمان'], la: ['rahman', 'rahmaan'] },
  { id: 'rahim', fa: ['رحیم'], la: ['rahim', 'raheem'] },
  { id: 'nasrollah', fa: ['نصرالله'], la: ['nasrollah', 'nasrullah', 'nasrallah'] },
  { id: 'habibollah', fa: ['حبیبالله'], la: ['habibollah', 'habibullah', 'habibolah'] },
  { id: 'abdollah', fa: ['عبدالله'], la: ['abdollah', 'abdullah', 'abdolah', 'abdallah'] },
  { id: 'sahar', fa: ['سحر'], la: ['sahar'] },
  { id: 'sahra', fa: ['صحرا'], la: ['sahra'] },
  { id: 'arman', fa: ['آرمان'], la: ['arman'] },
  { id: 'armin', fa: ['آرمین'], la: ['armin'] },
  { id: 'houman', fa: ['هومن'], la: ['houman'] },
  { id: 'houmaan', fa: ['هومان'], la: ['houmaan'] },
  { id: 'majid', fa: ['مجید'], la: ['majid', 'majeed'] },
  { id: 'majd', fa: ['مجد'], la: ['majd'] },
  { id: 'nasser', fa: ['ناصر'], la: ['naser', 'nasser'] },
  { id: 'nasr', fa: ['نصر'], la: ['nasr'] },
];

/**
 * Name parts that are optional: titles and honorifics typed in the name field, in every supported script (Latin
 * forms also cover the Latin transliteration of Cyrillic, Greek, Hebrew… names, see translit in normalise.ts).
 * They are ignored in matching (`title`: weight 0) or count for little (`lineage`: Seyed, Mir, Mirza, patronymic
 * particles say something about the person, so a missing one is a small penalty, weight 0.3). The name is always
 * displayed as typed; only the comparison skips them.
 */
export interface OptionalEntry extends VariantEntry {
  kind: 'title' | 'lineage';
}
export const OPTIONAL_PARTS: OptionalEntry[] = [
  { id: 'seyed', kind: 'lineage', fa: ['سید', 'السید'], la: ['seyed', 'seyyed', 'sayed', 'sayyed', 'sayyid', 'syed', 'sayid', 'seyid', 'sejjed', 'alsayyid', 'alsayed'] },
  { id: 'seyedeh', kind: 'lineage', fa: ['سیده', 'السیده'], la: ['seyedeh', 'seyyedeh', 'sayedeh', 'sayyedeh', 'seyede', 'sayyida', 'sayyidah', 'syeda'] },
  { id: 'mir', kind: 'lineage', fa: ['میر'], la: ['mir'] },
  { id: 'mirza', kind: 'lineage', fa: ['میرزا'], la: ['mirza', 'mirzaa', 'myrza'] },
  { id: 'ibn', kind: 'lineage', fa: ['بن', 'ابن', 'بنت'], la: ['ibn', 'bin', 'bint', 'binti', 'ould', 'ibni'] },
  { id: 'haj', kind: 'title', fa: ['حاج', 'حاجی', 'حاجیه', 'الحاج', 'الحاجه'], la: ['haj', 'hajj', 'haji', 'hajji', 'hadj', 'hajieh', 'hajiyeh', 'hajjah', 'alhaj', 'alhajj', 'elhadj'] },
  { id: 'dr', kind: 'title', fa: ['دکتر', 'الدکتور', 'دکتور', 'ڈاکٹر', 'دوکتۆر'], la: ['dr', 'doctor', 'doktor', 'dokter', 'doutor', 'doctora', 'dra', 'ddr', 'iatros'] },
  { id: 'prof', kind: 'title', fa: ['پروفسور', 'استاد', 'پرفسور', 'پروفیسر', 'مامۆستا'], la: ['prof', 'professor', 'profesor', 'professeur', 'ostad', 'ustad', 'ustadh', 'mamosta', 'kathigitis'] },
  { id: 'mohandes', kind: 'title', fa: ['مهندس', 'المهندس', 'انجینئر'], la: ['mohandes', 'muhandis', 'eng', 'engr', 'engineer', 'inzh', 'inzhener'] },
  { id: 'mr', kind: 'title', fa: ['آقای', 'آقا', 'جناب', 'کاک', 'صاحب'], la: ['mr', 'mister', 'agha', 'aqa', 'aghaye', 'aghay', 'aqaye', 'janab', 'kak', 'kaka', 'sahib', 'saheb', 'herr', 'monsieur', 'senor', 'gospodin', 'kyrios'] },
  { id: 'mrs', kind: 'title', fa: ['خانم', 'خانوم', 'بانو', 'بیگم', 'سرکار', 'خاتون'], la: ['mrs', 'ms', 'miss', 'khanom', 'khanum', 'khanoum', 'khanam', 'banu', 'banoo', 'begum', 'begom', 'frau', 'madame', 'mme', 'mlle', 'sra', 'senora', 'bayan', 'hanim', 'gospozha', 'kyria', 'mx'] },
  { id: 'sheikh', kind: 'title', fa: ['شیخ', 'الشیخ', 'ملا', 'آخوند'], la: ['sheikh', 'shaikh', 'shaykh', 'sheykh', 'molla', 'mulla', 'mullah', 'akhund'] },
];

/**
 * Surname suffixes: Karimi = Karim + i, Heydarzadeh = Heydar + zadeh. A token that is a known name plus a
 * suffix gets the id `name+suffix`, so Karimi/Karami and Hamidi/Hamedi stay apart like their stems.
 */
const SUFFIXES_LA: Array<[string, string]> = [
  ['zadeh', 'zadeh'], ['zade', 'zadeh'], ['pour', 'pour'], ['pur', 'pour'], ['nejad', 'nejad'], ['nezhad', 'nejad'],
  ['nejhad', 'nejad'], ['nezad', 'nejad'], ['ian', 'ian'], ['yan', 'ian'], ['ei', 'i'], ['ee', 'i'], ['yi', 'i'], ['i', 'i'], ['y', 'i'],
  ['loo', 'lu'], ['lou', 'lu'], ['lu', 'lu'], ['far', 'far'], ['ollahi', 'ollahi'], ['ullahi', 'ollahi'], ['allahi', 'ollahi'],
];
const SUFFIXES_FA: Array<[string, string]> = [
  ['زاده', 'zadeh'], ['پور', 'pour'], ['نژاد', 'nejad'], ['نجاد', 'nejad'], ['یان', 'ian'], ['یی', 'i'], ['ی', 'i'],
  ['لو', 'lu'], ['فر', 'far'], ['اللهی', 'ollahi'],
];

const faIndex = new Map<string, string>();
const laIndex = new Map<string, string>();
const optionalIds = new Map<string, number>();

function index(entries: Array<VariantEntry & { kind?: 'title' | 'lineage' }>, optional: boolean) {
  for (const e of entries) {
    for (const f of e.fa) faIndex.set(normaliseText(f, 'join'), e.id);
    for (const l of e.la) laIndex.set(latinKey(normaliseText(l, 'join')), e.id);
    if (optional) optionalIds.set(e.id, e.kind === 'title' ? TITLE_WEIGHT : LINEAGE_WEIGHT);
  }
}
/** Weight of a title in a name (ignored) and of a lineage honorific (a small penalty when missing). */
const TITLE_WEIGHT = 0;
const LINEAGE_WEIGHT = 0.3;
index(GIVEN_NAMES, false);
index(OPTIONAL_PARTS, true);
/** Honorific tokens stay known when the list of given names is switched off (they are not a matching prior). */
const OPTIONAL_TOKENS = new Set<string>();
for (const e of OPTIONAL_PARTS) {
  for (const f of e.fa) OPTIONAL_TOKENS.add('arab' + normaliseText(f, 'join'));
  for (const l of e.la) OPTIONAL_TOKENS.add('latn' + normaliseText(l, 'join'));
}

const lookupCache = new Map<string, string | null>();
let listInUse = true;

/**
 * A compound of two known given names written as one token (Hamidreza, حامدرضا, Mohammadali): id `a&b`, so
 * Hamidreza and Hamedreza stay as apart as Hamid and Hamed, and Mohammadreza = محمدرضا = Mohamadreza.
 */
function compoundId(token: string, index: Map<string, string>): string | null {
  for (let i = 2; i <= token.length - 2; i++) {
    const a = index.get(token.slice(0, i));
    if (!a || optionalIds.has(a)) continue;
    const b = index.get(token.slice(i));
    if (b && !optionalIds.has(b)) return `${a}&${b}`;
  }
  return null;
}

/**
 * Switch the curated list off (evaluation of the learnt distance alone) or on again. Clears the lookup cache;
 * callers holding token similarities must drop theirs (match.ts does through onVariantListChange).
 */
export function useVariantList(on: boolean): void {
  listInUse = on;
  lookupCache.clear();
  for (const f of listeners) f();
}
const listeners: Array<() => void> = [];
export function onVariantListChange(f: () => void): void {
  listeners.push(f);
}

/**
 * Variant id of one normalised token, or null. `script` says which index to use.
 * Suffixed forms resolve only for given names (not optional parts): Seyedi is not Seyed + i.
 */
export function variantId(token: string, script: 'arab' | 'latn' | 'other'): string | null {
  if (script === 'other') return null;
  if (!listInUse && !OPTIONAL_TOKENS.has(script + token)) return null;
  const ck = script + token;
  const hit = lookupCache.get(ck);
  if (hit !== undefined) return hit;
  let id: string | null = null;
  if (script === 'arab') {
    id = faIndex.get(token) ?? null;
    if (!id) id = compoundId(token, faIndex);
    if (!id) {
      for (const [suf, canon] of SUFFIXES_FA) {
        if (token.length > suf.length + 1 && token.endsWith(suf)) {
          const base = faIndex.get(token.slice(0, -suf.length));
          if (base && !optionalIds.has(base)) { id = `${base}+${canon}`; break; }
        }
      }
    }
  } else {
    const k = latinKey(token);
    id = laIndex.get(k) ?? null;
    if (!id) id = compoundId(k, laIndex);
    if (!id) {
      for (const [suf, canon] of SUFFIXES_LA) {
        const ks = latinKey(suf);
        if (k.length > ks.length + 1 && k.endsWith(ks)) {
          const base = laIndex.get(k.slice(0, -ks.length));
          if (base && !optionalIds.has(base)) { id = `${base}+${canon}`; break; }
        }
      }
    }
  }
  if (lookupCache.size > 100_000) lookupCache.clear();
  lookupCache.set(ck, id);
  return id;
}

export function isOptionalId(id: string | null): boolean {
  return id !== null && optionalIds.has(id);
}

/** Matching weight of a token with this id: 1 for a name part, less for an honorific, 0 for a title. */
export function weightOfId(id: string | null): number {
  return id === null ? 1 : (optionalIds.get(id) ?? 1);
}

/**
 * The most frequent given names and surnames among Iranians (issue 17, "common names count for less"), as variant
 * ids so that every spelling and script counts. A name made only of these (Ali Rezaei, Fatemeh Mohammadi) is
 * shared by many people: two such names need stronger evidence before they are called the same person.
 * Source: the civil registration's lists of frequent names as reported in the press; a short, deliberate list.
 */
export const COMMON_IDS: ReadonlySet<string> = new Set([
  'mohammad', 'ali', 'hossein', 'reza', 'mehdi', 'hasan', 'ahmad', 'amir', 'abbas', 'mahmoud', 'javad', 'saeed',
  'fatemeh', 'zahra', 'maryam', 'zeinab', 'masoumeh', 'sakineh', 'khadijeh',
  'mohammad+i', 'hossein+i', 'ahmad+i', 'reza+i', 'karim+i', 'hasan+i', 'jafar+i', 'rahim+i', 'kazem+i', 'ghasem+i',
  'sadegh+i', 'ebrahim+i', 'abbas+i', 'mohammad+zadeh', 'hossein+zadeh', 'hasan+zadeh', 'amir+i', 'mousa+i',
]);
