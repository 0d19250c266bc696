/* The coverage chart: labels and figures come from the page (translated on the server). */
(function () {
  "use strict";
  var box = document.getElementById("coverage-chart");
  if (!box || !window.echarts) { return; }
  var labels = JSON.parse(box.getAttribute("data-labels"));
  var shares = JSON.parse(box.getAttribute("data-shares"));
  var chart = window.echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 24, bottom: 64 },
    xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: box.getAttribute("data-series"), type: "bar", data: shares, label: { show: true, position: "top", formatter: "{c}%" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
