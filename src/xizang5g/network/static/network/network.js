/* 5G supervision pages: station map, study map, EMF, coverage and trend charts (ECharts). */
(function () {
  "use strict";
  var OPERATOR_COLORS = ["#1f6fd1", "#1f9d55", "#e07a00", "#6f42c1", "#0a8ca8", "#b5651d"];

  function withMap(el, draw) {
    var chart = XZCharts.init(el);
    chart.showLoading();
    fetch(el.dataset.geo, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        echarts.registerMap("xizang-counties", geo);
        chart.hideLoading();
        draw(chart);
      })
      .catch(function () {
        chart.hideLoading();
        el.innerHTML = '<div class="xz-empty"><i class="bi bi-map"></i><p>' + (el.dataset.error || "Map data could not be loaded.") + "</p></div>";
      });
  }

  var GEO = {
    map: "xizang-counties", roam: true, scaleLimit: { min: 1, max: 40 },
    itemStyle: { areaColor: "#f3f6fa", borderColor: "#b8c7d9", borderWidth: 0.6 },
    emphasis: { itemStyle: { areaColor: "#e6eef8" }, label: { show: true, fontSize: 11 } },
    label: { show: false }
  };

  function stationMap() {
    var el = document.getElementById("station-map");
    if (!el) return;
    var data = XZCharts.dataOf("station-map-data");
    withMap(el, function (chart) {
      var series = [];
      Object.keys(data.operators).forEach(function (name, i) {
        series.push({
          type: "scatter", coordinateSystem: "geo", name: name, symbolSize: 5, large: true,
          itemStyle: { color: OPERATOR_COLORS[i % OPERATOR_COLORS.length], opacity: 0.8 },
          data: data.operators[name].map(function (p) { return { value: [p[0], p[1]], name: p[2], bands: p[3], id: p[4] }; }),
          tooltip: { formatter: function (p) { return p.seriesName + "<br>" + p.data.name + " · " + p.data.bands; } }
        });
      });
      series.push({
        type: "scatter", coordinateSystem: "geo", name: el.dataset.esLabel || "Earth stations", symbol: "triangle", symbolSize: 11,
        itemStyle: { color: "#d64545", borderColor: "#fff", borderWidth: 1 }, z: 5,
        data: data.earth_stations.map(function (p) { return { value: [p[0], p[1]], name: p[2] + " " + p[3], id: p[4], es: true }; }),
        tooltip: { formatter: function (p) { return p.data.name; } }
      });
      chart.setOption({ tooltip: { trigger: "item" }, legend: { bottom: 0, type: "scroll" }, geo: GEO, series: series });
      chart.on("click", function (p) {
        if (!p.data || !p.data.id) return;
        window.location = (p.data.es ? "earth-stations/" : "sites/") + p.data.id + "/";
      });
    });
  }

  function marginColor(value, min) {
    // 0 dB yellow -> most negative dark red, same ramp as the visual map.
    var stops = [[240, 180, 41], [214, 69, 69], [122, 0, 0]];
    var t = Math.min(1, Math.max(0, value / (min || -1))) * (stops.length - 1);
    var i = Math.min(stops.length - 2, Math.floor(t)), f = t - i;
    var c = stops[i].map(function (a, k) { return Math.round(a + (stops[i + 1][k] - a) * f); });
    return "rgb(" + c.join(",") + ")";
  }

  function studyMap() {
    var el = document.getElementById("study-map");
    if (!el) return;
    var data = XZCharts.dataOf("study-map-data");
    withMap(el, function (chart) {
      var min = Math.min.apply(null, data.lines.map(function (l) { return l.value; }).concat([-1]));
      var cells = data.lines.map(function (l) { return { value: l.coords[1].concat([l.value]), name: l.name }; });
      var geo = Object.assign({}, GEO);
      if (data.lines.length) {  // zoom to the offending area
        var xs = [], ys = [];
        data.lines.forEach(function (l) { l.coords.forEach(function (c) { xs.push(c[0]); ys.push(c[1]); }); });
        var span = Math.max(Math.max.apply(null, xs) - Math.min.apply(null, xs), Math.max.apply(null, ys) - Math.min.apply(null, ys));
        var pad = Math.max(0.06, span * 0.35);
        geo.boundingCoords = [[Math.min.apply(null, xs) - pad, Math.max.apply(null, ys) + pad],
                              [Math.max.apply(null, xs) + pad, Math.min.apply(null, ys) - pad]];
        geo.label = { show: true, fontSize: 11, color: "#6b7a8c" };
      }
      chart.setOption({
        tooltip: { trigger: "item" },
        geo: geo,
        visualMap: { type: "continuous", min: Math.floor(min), max: 0, dimension: 2, seriesIndex: [1], calculable: true,
                     left: 10, bottom: 20, text: ["0 dB", Math.floor(min) + " dB"],
                     inRange: { color: ["#7a0000", "#d64545", "#f0b429"] } },
        series: [
          { type: "lines", coordinateSystem: "geo", polyline: false, lineStyle: { width: 2.4, opacity: 0.85 },
            data: data.lines.map(function (l) {
              return { coords: l.coords, value: l.value, name: l.name, lineStyle: { color: marginColor(l.value, min) } };
            }),
            tooltip: { formatter: function (p) { return p.data.name + "<br>" + p.data.value + " dB"; } } },
          { type: "scatter", coordinateSystem: "geo", symbolSize: 7, data: cells,
            tooltip: { formatter: function (p) { return p.data.name + "<br>" + p.data.value[2] + " dB"; } } },
          { type: "scatter", coordinateSystem: "geo", symbol: "triangle", symbolSize: 12, z: 5,
            data: data.stations.map(function (s) { return { value: [s[0], s[1]], name: s[2], margin: s[3], ok: s[4],
              itemStyle: { color: s[4] ? "#1f9d55" : "#a61b1b", borderColor: "#fff", borderWidth: 1 } }; }),
            tooltip: { formatter: function (p) { return p.data.name + "<br>" + (p.data.margin === null ? "—" : p.data.margin.toFixed(1) + " dB"); } } }
        ]
      });
    });
  }

  function emfChart() {
    var el = document.getElementById("emf-chart");
    if (!el) return;
    var d = XZCharts.dataOf("emf-data");
    var chart = XZCharts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "value", name: "m", min: 0, max: 300 }, yAxis: { type: "value", name: "S/S_lim" },
      series: [{ type: "line", showSymbol: false, data: d.profile_m.map(function (x, i) { return [x, d.profile_ratio[i]]; }),
                 areaStyle: { opacity: 0.15 }, markLine: { symbol: "none", data: [{ yAxis: 1 }], lineStyle: { color: "#a61b1b" } } }]
    });
  }

  function coverageChart() {
    var el = document.getElementById("coverage-chart");
    if (!el) return;
    var d = XZCharts.dataOf("coverage-data");
    var chart = XZCharts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 50, top: 40, bottom: 90 },
      xAxis: { type: "category", data: d.names, axisLabel: { rotate: 45, fontSize: 11 } },
      yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", name: "/10k" }],
      series: [
        { type: "bar", name: el.dataset.shareLabel || "%", data: d.share, itemStyle: { color: "#0b4a8b" } },
        { type: "line", name: el.dataset.densityLabel || "/10k", yAxisIndex: 1, data: d.per_10k, itemStyle: { color: "#e0a100" } }
      ]
    });
  }

  function heatMap() {
    var select = document.getElementById("heat-site");
    var el = document.getElementById("heat-map");
    if (!select || !el) return;
    var chart = XZCharts.init(el);
    select.addEventListener("change", function () {
      if (!select.value) return;
      chart.showLoading();
      fetch(select.dataset.url.replace("/0/", "/" + select.value + "/"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          chart.hideLoading();
          chart.setOption({
            tooltip: { formatter: function (p) { return p.value[2] + " dBm"; } },
            grid: { left: 55, right: 20, top: 10, bottom: 60 },
            xAxis: { type: "value", min: d.bounds[0], max: d.bounds[2], axisLabel: { formatter: function (v) { return v.toFixed(2); } } },
            yAxis: { type: "value", min: d.bounds[1], max: d.bounds[3], axisLabel: { formatter: function (v) { return v.toFixed(2); } } },
            visualMap: { min: -130, max: -60, dimension: 2, orient: "horizontal", left: "center", bottom: 0, calculable: true,
                         inRange: { color: ["#f1f4f8", "#9ec1e6", "#1f9d55", "#e0a100", "#d64545"] } },
            series: [
              { type: "scatter", symbol: "rect", symbolSize: Math.max(6, el.clientWidth / 36), data: d.points },
              { type: "scatter", symbol: "pin", symbolSize: 22, data: [[d.site[0], d.site[1], null]], itemStyle: { color: "#0b4a8b" } }
            ]
          }, true);
        })
        .catch(function () { chart.hideLoading(); });
    });
  }

  function trendChart() {
    var el = document.getElementById("trend-chart");
    if (!el) return;
    var d = XZCharts.dataOf("trend-data");
    var chart = XZCharts.init(el);
    var series = [];
    Object.keys(d.series).forEach(function (name, i) {
      var color = OPERATOR_COLORS[i % OPERATOR_COLORS.length];
      series.push({ type: "bar", name: name + " " + (el.dataset.stations || "stations"), stack: "stations", data: d.series[name].stations, itemStyle: { color: color, opacity: 0.55 } });
      series.push({ type: "line", name: name + " " + (el.dataset.users || "users"), yAxisIndex: 1, data: d.series[name].users, itemStyle: { color: color } });
    });
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" }, grid: { left: 60, right: 70, top: 50, bottom: 30 },
      xAxis: { type: "category", data: d.months }, yAxis: [{ type: "value", name: el.dataset.stations || "" }, { type: "value", name: el.dataset.users || "" }],
      series: series
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    stationMap(); studyMap(); emfChart(); coverageChart(); heatMap(); trendChart();
  });
})();
