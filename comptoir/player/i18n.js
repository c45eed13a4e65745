// Every word the learner reads goes through here: the bundle's `ui` catalog (comptoir.po,
// translated at build time) with the French msgid as fallback, and the region's number rules.

/** BCP 47 tag for Intl from a region written either "fr-CH" or "fr_CH". */
function tag(region, lang) {
  return String(region || lang || "fr").replace(/_/g, "-");
}

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * t(msgid, vars) for words, plural(n, one, other, vars) for counted words, percent(x), number(x),
 * list(texts) ("a, b et c").
 * A plural entry of the catalog is {one, other, …} keyed by CLDR category; the French fallback
 * takes `one` for 0 and 1, as French grammar does.
 */
export function makeI18n(ui, region, lang) {
  const locale = tag(region, lang);
  const catalog = ui || {};
  const rules = new Intl.PluralRules(locale);
  const frenchRules = new Intl.PluralRules("fr");
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 6 });
  const conjunction = new Intl.ListFormat(locale, { type: "conjunction" });

  function t(msgid, vars = {}) {
    const entry = catalog[msgid];
    return fill(typeof entry === "string" && entry ? entry : msgid, vars);
  }

  function plural(n, one, other, vars = {}) {
    const entry = catalog[one];
    let text;
    if (entry && typeof entry === "object") text = entry[rules.select(n)] || entry.other;
    if (!text) text = frenchRules.select(n) === "one" ? one : other;
    return fill(text, { n: num.format(n), ...vars });
  }

  return { t, plural, percent: (x) => pct.format(x), number: (x) => num.format(x),
    list: (items) => conjunction.format(items), locale };
}
