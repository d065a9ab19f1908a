/* Typesets TeX into MathJax CommonHTML when the site is built (called by actlib_site.py).
 *
 * Reads JSON from stdin: {"items": [{"tex": "...", "display": true}, ...], "fontURL": "..."}.
 * Writes JSON to stdout: {"html": ["<mjx-container ...>", ...], "css": "...", "errors": [...]}.
 * The CSS covers exactly the characters of all items (one stylesheet for the whole site), and
 * each formula carries hidden MathML for screen readers. Usage: node typeset_math.cjs <root>,
 * where <root> holds node_modules/mathjax-full (installed by `npm ci`).
 */
"use strict";

const path = require("path");
const { createRequire } = require("module");

const root = process.argv[2];
if (!root) {
  process.stderr.write("usage: node typeset_math.cjs <folder holding node_modules>\n");
  process.exit(2);
}
const need = createRequire(path.join(path.resolve(root), "package.json"));
let mj;
try {
  mj = {
    mathjax: need("mathjax-full/js/mathjax.js").mathjax,
    TeX: need("mathjax-full/js/input/tex.js").TeX,
    CHTML: need("mathjax-full/js/output/chtml.js").CHTML,
    liteAdaptor: need("mathjax-full/js/adaptors/liteAdaptor.js").liteAdaptor,
    RegisterHTMLHandler: need("mathjax-full/js/handlers/html.js").RegisterHTMLHandler,
    AssistiveMmlHandler: need("mathjax-full/js/a11y/assistive-mml.js").AssistiveMmlHandler,
    AllPackages: need("mathjax-full/js/input/tex/AllPackages.js").AllPackages,
  };
} catch (err) {
  process.stderr.write(
    "mathjax-full is not installed under " + root + ": run `npm ci` there (" + err.message + ")\n"
  );
  process.exit(3);
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const adaptor = mj.liteAdaptor();
  mj.AssistiveMmlHandler(mj.RegisterHTMLHandler(adaptor));
  const tex = new mj.TeX({
    packages: mj.AllPackages.filter((name) => !["bussproofs", "noerrors", "noundefined"].includes(name)),
    formatError: (jax, err) => jax.formatError(err),
  });
  const chtml = new mj.CHTML({ fontURL: request.fontURL, adaptiveCSS: true });
  const doc = mj.mathjax.document("", { InputJax: tex, OutputJax: chtml });
  const html = [];
  const errors = [];
  request.items.forEach((item, k) => {
    const node = doc.convert(item.tex, { display: !!item.display, em: 16, ex: 8, containerWidth: 1280 });
    const out = adaptor.outerHTML(node);
    if (out.indexOf("<mjx-merror") >= 0) {
      const found = /data-mjx-error="([^"]*)"/.exec(out);
      errors.push({ index: k, tex: item.tex, message: found ? found[1] : "TeX error" });
    }
    html.push(out);
  });
  const css = adaptor.textContent(chtml.styleSheet(doc));
  process.stdout.write(JSON.stringify({ html: html, css: css, errors: errors }));
});
