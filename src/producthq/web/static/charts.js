// Render the Vega-Lite charts of every page. Each chart's spec sits in a
// <script type="application/json" id="..."> next to a <div data-chart="id">; no inline JS.
// Vega's expression interpreter keeps the charts working under a CSP without 'unsafe-eval'.
(function () {
  "use strict";

  function renderCharts(root) {
    if (typeof vegaEmbed !== "function" || typeof vega === "undefined") return;
    var scope = root && root.querySelectorAll ? root : document;
    var els = Array.prototype.slice.call(scope.querySelectorAll("[data-chart]"));
    // An HTMX swap announces each new top-level element: the chart itself may be the root.
    if (scope.matches && scope.matches("[data-chart]")) els.unshift(scope);
    els.forEach(function (el) {
      if (el.dataset.rendered === "1") return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (err) {
        el.textContent = "The chart could not be read.";
        return;
      }
      el.dataset.rendered = "1";
      vegaEmbed(el, spec, {
        actions: false, ast: true, expr: vega.expressionInterpreter, renderer: "svg",
        // No injected <style> elements: the CSP allows style sheets from this site only.
        defaultStyle: false, tooltip: { disableDefaultStyle: true }
      })
        .catch(function () { el.textContent = "The chart could not be drawn."; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { renderCharts(document); });
  document.addEventListener("htmx:load", function (evt) {
    renderCharts(evt.detail && evt.detail.elt ? evt.detail.elt : document);
  });
})();
