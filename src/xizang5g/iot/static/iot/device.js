// Device page: live telemetry charts, polled every 5 seconds (data from #chart-props).
(function () {
  "use strict";
  var props = XZCharts.dataOf("chart-props") || [];
  var url = document.getElementById("telemetry-url").dataset.url;
  var WINDOW_MS = 3600 * 1000, POLL_MS = 5000;
  var charts = {}, data = {}, since = null;
  props.forEach(function (p, i) {
    var el = document.getElementById("chart-" + p.identifier);
    if (!el) { return; }
    var chart = XZCharts.init(el);
    var stepped = p.type === "bool" || p.type === "enum";
    chart.setOption({
      animation: false, color: [XZCharts.palette[i % XZCharts.palette.length]],
      grid: { left: 48, right: 12, top: 12, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time" }, yAxis: { type: "value", scale: true, name: p.unit || "" },
      series: [{ type: "line", showSymbol: false, step: stepped ? "end" : false, areaStyle: { opacity: 0.08 }, data: [] }]
    });
    charts[p.identifier] = chart; data[p.identifier] = [];
  });
  function text(id, value) { var n = document.getElementById(id); if (n) { n.textContent = value; } }
  function poll() {
    fetch(url + (since ? "?since=" + encodeURIComponent(since) : ""), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        var now = Date.now();
        Object.keys(charts).forEach(function (key) {
          var points = data[key].concat(d.series[key] || []);
          while (points.length && points[0][0] < now - WINDOW_MS) { points.shift(); }
          data[key] = points;
          charts[key].setOption({ series: [{ data: points }] });
          var el = document.getElementById("chart-" + key);
          el.dataset.points = String(points.length);
          if (d.latest[key] !== undefined && d.latest[key] !== null) { text("latest-" + key, d.latest[key]); }
        });
        Object.keys(d.latest).forEach(function (key) {
          var v = d.latest[key]; text("lv-" + key, typeof v === "object" && v !== null ? JSON.stringify(v) : v);
        });
        since = d.until;
        var badge = document.getElementById("device-state");
        if (badge && d.state) {
          badge.className = "xz-state xz-dev-" + d.state + " align-middle fs-6";
          badge.querySelector(".xz-dot").className = "xz-dot xz-dot-" + d.state;
          badge.querySelector(".label").textContent = d.state_label;
        }
        if (d.last_seen) { text("kpi-last-seen", new Date(d.last_seen).toLocaleTimeString("zh-CN", { hour12: false })); }
        text("kpi-messages", d.messages.toLocaleString()); text("kpi-rejected", d.rejected.toLocaleString());
        document.getElementById("live-indicator").className = "xz-dot xz-dot-online";
        document.body.dataset.telemetryPolls = String(Number(document.body.dataset.telemetryPolls || 0) + 1);
      })
      .catch(function () { document.getElementById("live-indicator").className = "xz-dot xz-dot-offline"; });
  }
  poll();
  setInterval(poll, POLL_MS);
})();
