// Draws every <canvas data-chart="ID"> from the JSON of <script id="ID"> (workspace.selectors.Chart),
// with Chart.js served from our own static files.
(function () {
  if (!window.Chart) return;
  var colours = ["#1d4e89", "#4f9d69", "#e0a030", "#b42318", "#7a5195", "#5f7481"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var chart = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: chart.kind,
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (s, i) {
          return { label: s.label, data: s.data.map(Number), backgroundColor: colours[i % colours.length],
                   borderColor: colours[i % colours.length] };
        }),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: chart.stacked }, y: { stacked: chart.stacked, beginAtZero: true } },
      },
    });
  });
})();
