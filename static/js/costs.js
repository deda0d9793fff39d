// Stacked monthly bars of the province, city and district shares (Chart.js, served locally).
(function () {
  var data = JSON.parse(document.getElementById("cost-data").textContent);
  var canvas = document.getElementById("cost-chart");
  if (!canvas || !window.Chart) return;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "省级承担", data: data.province.map(Number), backgroundColor: "#1d4e89" },
        { label: "市级承担", data: data.city.map(Number), backgroundColor: "#4f9d69" },
        { label: "区级承担", data: data.district.map(Number), backgroundColor: "#e0a030" },
      ],
    },
    options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true } } },
  });
})();
