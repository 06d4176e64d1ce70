// Words the scripts show, in the page's language: the server renders them onto <body> as
// data-text-* attributes (templates/base.html, marked for translation like any page text),
// so no translation catalogue ships in the bundle. The English is the fallback.
export function text(name, fallback) {
  const key = "text" + name.replace(/(^|-)(\w)/g, (_, _dash, letter) => letter.toUpperCase());
  return document.body?.dataset[key] || fallback;
}
