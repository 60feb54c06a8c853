/* Plan supervision dashboard: goal gauges, project map, industry coverage. */
(function () {
  "use strict";
  var STATE_COLORS = {
    declared: "#9aa5b1", approved: "#0b4a8b", building: "#e0a100", trial: "#0a8ca8",
    accepted: "#1f9d55", "case": "#d9480f", terminated: "#d64545"
  };

  function gauges() {
    document.querySelectorAll("[id^=gauge-]").forEach(function (el) {
      var value = +el.dataset.value, target = +el.dataset.target, met = el.dataset.met === "1";
      XZCharts.init(el).setOption({
        series: [{
          type: "gauge", startAngle: 90, endAngle: -270, min: 0, max: target,
          pointer: { show: false }, radius: "92%",
          progress: { show: true, roundCap: true, width: 12, itemStyle: { color: met ? "#1f9d55" : "#e0a100" } },
          axisLine: { lineStyle: { width: 12, color: [[1, "#e9edf3"]] } },
          splitLine: { show: false }, axisTick: { show: false }, axisLabel: { show: false },
          detail: { offsetCenter: [0, 0], fontSize: 24, fontWeight: 700, color: "#1f2a37",
                    formatter: function () { return value + "/" + target; } },
          data: [{ value: Math.min(value, target) }]
        }]
      });
    });
  }

  function map(data) {
    var el = document.getElementById("project-map");
    if (!el) return;
    var chart = XZCharts.init(el);
    chart.showLoading();
    fetch(el.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("xizang", geo);
      var max = Math.max.apply(null, data.prefectures.map(function (p) { return p.value; }).concat([1]));
      var byState = {};
      data.points.forEach(function (p) { (byState[p.state] = byState[p.state] || []).push(p); });
      var series = [{
        type: "map", map: "xizang", geoIndex: 0, name: data.count_label, data: data.prefectures
      }];
      data.states.forEach(function (s) {
        if (!byState[s.code]) return;
        series.push({
          type: "scatter", coordinateSystem: "geo", name: s.label, data: byState[s.code],
          symbolSize: 9, itemStyle: { color: STATE_COLORS[s.code], borderColor: "#fff", borderWidth: 1 },
          tooltip: { formatter: function (p) { return p.data.name + "<br>" + p.data.state_label; } }
        });
      });
      chart.hideLoading();
      chart.setOption({
        tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll", data: data.states.map(function (s) { return s.label; }) },
        visualMap: { min: 0, max: max, left: 10, bottom: 40, calculable: false, seriesIndex: 0,
                     inRange: { color: ["#eef4fb", "#9ec1e6", "#0b4a8b"] }, text: ["", ""], itemHeight: 80 },
        geo: { map: "xizang", roam: true, label: { show: true, fontSize: 11, color: "#33475b" },
               itemStyle: { borderColor: "#fff", borderWidth: 1 }, emphasis: { itemStyle: { areaColor: "#ffe8a3" } } },
        series: series
      });
      chart.on("click", function (p) { if (p.data && p.data.url) window.location = p.data.url; });
    }).catch(function () {
      chart.hideLoading();
      el.innerHTML = '<div class="xz-empty"><i class="bi bi-map"></i><p>' + (el.dataset.error || "Map data could not be loaded.") + "</p></div>";
    });
  }

  function industries(data) {
    var el = document.getElementById("industry-chart");
    if (!el) return;
    var series = data.states.map(function (s) {
      return { type: "bar", stack: "all", name: s.label, data: data.industry_states[s.code],
               itemStyle: { color: STATE_COLORS[s.code] }, barMaxWidth: 14 };
    });
    XZCharts.init(el).setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 8, bottom: 36, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.industries, inverse: true, axisLabel: { fontSize: 11 } },
      series: series
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = XZCharts.dataOf("dashboard-data");
    gauges();
    if (data) { map(data); industries(data); }
  });
})();
