// Words the scripts show, in the page's language: the server renders them as data-text-*
// attributes (on <body> for every page, templates/base.html; on a feature's own element for
// its words, e.g. the notes app), marked for translation like any page text, so no catalogue
// ships in the bundle. The English is the fallback.
export function text(name, fallback, element = document.body) {
  const key = "text" + name.replace(/(^|-)(\w)/g, (_match, _dash, letter) => letter.toUpperCase());
  return element?.dataset[key] || fallback;
}
