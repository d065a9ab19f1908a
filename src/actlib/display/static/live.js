/* The live explorer in a notebook (an anywidget view; explorer.js comes before this file).
 *
 * The kernel sends the kernel-free explorer's markup (model "markup": its curves computed by
 * the kernel for every position of the sliders); the page draws it at once on every move, and
 * sends the controls' values back (model "state"), so that the kernel's explorer always holds
 * what the page shows. A new markup from the kernel (its values changed in code, a value it
 * rejected) replaces the view. */

function readCurves(root, cfg) {
  var state = {};
  root.querySelectorAll("input.actlib-param").forEach(function (input) {
    var p = cfg.params[parseInt(input.getAttribute("data-index"), 10)];
    state[p.name] = p.values[parseInt(input.value, 10)];
  });
  var xr = root.querySelector("input.actlib-xrange");
  if (xr) state.x = [-parseFloat(xr.value), parseFloat(xr.value)];
  var d = root.querySelector("input.actlib-derivative");
  if (d) state.derivative = d.checked;
  var fit = root.querySelector("input.actlib-fit");
  if (fit) state.fit_y = fit.checked;
  var select = root.querySelector("select.actlib-compare");
  if (select) state.compare = select.value || null;
  root.querySelectorAll("input.actlib-random").forEach(function (input, k) {
    state[cfg.random[k]] = input.checked;
  });
  return state;
}

function readBars(root) {
  var state = {};
  root.querySelectorAll("input.actlib-slider").forEach(function (input) {
    var v = parseFloat(input.value);
    if (input.getAttribute("data-role") === "temperature") state.T = v;
    else state["z" + (parseInt(input.getAttribute("data-index"), 10) + 1)] = v;
  });
  return state;
}

/* Put the values of a saved state (the page's last one) on the controls, before init() draws
 * them: a notebook opened again shows the explorer as it was left. A value that is not on the
 * grid leaves its control as the markup has it. */
function restoreCurves(root, state) {
  var cfg = JSON.parse(root.getAttribute("data-config"));
  cfg.params.forEach(function (p, j) {
    var k = p.values.indexOf(state[p.name]);
    if (k < 0) return;
    p.index = k;
    var input = root.querySelector("input.actlib-param[data-index='" + j + "']");
    if (input) input.value = String(k);
    var out = input && root.querySelector("output[data-for='" + input.id + "']");
    if (out) out.textContent = p.labels[k];
  });
  root.setAttribute("data-config", JSON.stringify(cfg));
  var xr = root.querySelector("input.actlib-xrange");
  if (xr && state.x) {
    xr.value = String(state.x[1]);
    var xout = root.querySelector("output[data-for='" + xr.id + "']");
    if (xout) xout.textContent = String(parseFloat(xr.value));
  }
  var boxes = { "actlib-derivative": state.derivative, "actlib-fit": state.fit_y };
  Object.keys(boxes).forEach(function (cls) {
    var box = root.querySelector("input." + cls);
    if (box && typeof boxes[cls] === "boolean") box.checked = boxes[cls];
  });
  root.querySelectorAll("input.actlib-random").forEach(function (box, k) {
    if (typeof state[cfg.random[k]] === "boolean") box.checked = state[cfg.random[k]];
  });
  var select = root.querySelector("select.actlib-compare");
  if (select && "compare" in state) select.value = state.compare || "";
}

function restoreBars(root, state) {
  root.querySelectorAll("input.actlib-slider").forEach(function (input) {
    var key = input.getAttribute("data-role") === "temperature" ? "T"
      : "z" + (parseInt(input.getAttribute("data-index"), 10) + 1);
    if (typeof state[key] === "number") input.value = String(state[key]);
  });
}

function render(ctx) {
  var model = ctx.model, el = ctx.el;
  function show() {
    el.innerHTML = model.get("markup");
    var root = el.querySelector(".actlib-explorer");
    if (!root) return;
    var saved = model.get("state");
    if (saved && Object.keys(saved).length) {
      if (JSON.parse(root.getAttribute("data-config")).kind === "bars") restoreBars(root, saved);
      else restoreCurves(root, saved);
    }
    window.actlibExplorer.init(root);
    /* The controls' keys are theirs: JupyterLab's notebook shortcuts (ArrowRight and
     * ArrowLeft in command mode, among others) would act on the notebook and take the focus.
     * Lumino skips shortcuts for an event whose target carries this attribute. */
    root.querySelectorAll("input, select").forEach(function (c) {
      c.setAttribute("data-lm-suppress-shortcuts", "true");
    });
    var cfg = JSON.parse(root.getAttribute("data-config"));
    function send() {
      model.set("state", cfg.kind === "bars" ? readBars(root) : readCurves(root, cfg));
      model.save_changes();
    }
    root.addEventListener("input", send);
    root.addEventListener("change", send);
  }
  show();
  model.on("change:markup", show);
  return function () { model.off("change:markup", show); };
}

export default { render: render };
