/* The home dashboard's bar charts: labels and figures come from the page (translated on the server). */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var boxes = document.querySelectorAll(".dashboard-chart");
  Array.prototype.forEach.call(boxes, function (box) {
    var labels = JSON.parse(box.getAttribute("data-labels"));
    var values = JSON.parse(box.getAttribute("data-values"));
    if (!labels.length) { return; }
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 72 },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value" },
      series: [{ name: box.getAttribute("data-series"), type: "bar", data: values, label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
