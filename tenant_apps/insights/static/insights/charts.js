/* Draws each chart of the indicators page with Chart.js from the JSON beside it; the same numbers
   are in the table beneath every chart (and in its CSV). */
(function () {
  "use strict";
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var palette = ["#1351b4", "#e52207", "#168821", "#ffcd07", "#155bcb", "#6c4da3"];
    document.querySelectorAll("canvas[data-insights-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-insights-chart"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      new window.Chart(canvas, {
        type: spec.kind,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (set, index) {
            return { label: set.label, data: set.data, backgroundColor: palette[index % palette.length],
                     borderColor: palette[index % palette.length], tension: 0.2 };
          })
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   locale: "pt-BR", plugins: { legend: { position: "bottom" } } }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
