var FILL_OPACITY = 0.78;

// The one decoder of geomap.render.geometry.encode_geometry: per polygon, per ring, a flat list
// of integer deltas [x0, y0, dx1, dy1, ...] in units of 1/scale degrees -> a GeoJSON MultiPolygon.
function geomapDecode(polygons, scale) {
  "use strict";
  return {type: "MultiPolygon", coordinates: polygons.map(function (rings) {
    return rings.map(function (flat) {
      var x = 0, y = 0, out = new Array(flat.length / 2);
      for (var k = 0; k < flat.length; k += 2) {
        x += flat[k]; y += flat[k + 1];
        out[k / 2] = [x / scale, y / scale];
      }
      return out;
    });
  })};
}

function geomapControlMap(map, opts) {
  "use strict";
  var data = JSON.parse(document.getElementById(opts.dataId).textContent);
  var dates = data.dates, statuses = data.statuses, names = data.names, nA = data.table.length, nD = dates.length;
  var ALPHA = "0123456789abcdefghijklmnopqrstuvwxyz";
  var codes = new Uint8Array(nA * nD);
  for (var i = 0; i < nA; i++) {
    var row = data.table[i];
    for (var j = 0; j < nD; j++) codes[i * nD + j] = ALPHA.indexOf(row.charAt(j));
  }
  function code(i, d) { return codes[i * nD + d]; }
  function changedAt(i, d) { return d > 0 && code(i, d) !== code(i, d - 1); }
  var COUNTS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  function sinceOf(i, d) {
    // Sent only where it is not the first date of the status's current run; 0 means derive it.
    var given = runValue(data.since[i], d, 0);
    if (given !== 0) return given;
    if (code(i, d) === data.unknown) return null;
    var k = d;
    while (k > 0 && code(i, k - 1) === code(i, d)) k--;
    return dates[k];
  }
  function countOf(i, d, shown) {
    if (!data.counts || !data.counts[i]) return shown;
    var n = COUNTS.indexOf(data.counts[i].charAt(d));
    return n < 0 ? shown : n;
  }
  function runValue(runs, d, empty) {
    var value = empty;
    if (!runs) return value;
    for (var k = 0; k < runs.length && runs[k][0] <= d; k++) value = runs[k][1];
    return value;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function swatch(color) {
    var s = el("span", "geomap-swatch");
    s.style.background = color;
    s.style.opacity = FILL_OPACITY;  // the same shade as the areas on the map
    return s;
  }
  function safeHref(text) {
    if (typeof text !== "string" || !/^https?:\/\//i.test(text.trim())) return null;
    try {
      var url = new URL(text.trim());
      return (url.protocol === "http:" || url.protocol === "https:") ? url.href : null;
    } catch (e) { return null; }
  }
  function statusLabel(k) { return statuses[k] ? statuses[k].label : "?"; }
  function noun() { return data.noun || "areas"; }
  function plural(n, word) {
    if (n !== 1) return word;
    return /ies$/.test(word) ? word.slice(0, -3) + "y" : (/s$/.test(word) ? word.slice(0, -1) : word);
  }

  function decode(polygons) { return geomapDecode(polygons, data.scale); }
  var areaFeatures = {type: "FeatureCollection", features: data.areas.map(function (g, i) {
    return {type: "Feature", properties: {i: i}, geometry: decode(g)};
  })};

  if (opts.tiles) {
    // The URL was checked in Python; the attribution is a provider's credit or escaped text.
    L.tileLayer(opts.tiles.url, {attribution: opts.tiles.attribution, maxZoom: opts.tiles.max_zoom,
      subdomains: opts.tiles.subdomains}).addTo(map);
  }
  var container = map.getContainer();
  if (opts.plain_background) container.classList.add("geomap-plain");
  if (data.title) { try { document.title = data.title; } catch (e) {} }

  // An area whose status rests only on reports with an approximate place or date is drawn lighter.
  function impreciseAt(i, d) {
    var refs = data.evidence.length ? runValue(data.evidence[i], d, []) : [];
    return refs.length > 0 && refs.every(function (k) { return data.reports[k] && data.reports[k][7]; });
  }
  function styleFor(i, d) {
    var changed = changedAt(i, d);
    return {fillColor: statuses[code(i, d)].color, fillOpacity: impreciseAt(i, d) ? FILL_OPACITY / 2 : FILL_OPACITY,
            color: changed ? "#111111" : "#4d4d4d", weight: changed ? 3 : 0.7, opacity: 1};
  }
  function tooltipFor(i, d) {
    var box = el("div", "geomap-tip");
    box.appendChild(el("b", null, names[i]));
    box.appendChild(el("div", null, statusLabel(code(i, d)) + " on " + dates[d]));
    var since = sinceOf(i, d);
    if (since) box.appendChild(el("div", null, "since " + since));
    if (changedAt(i, d)) box.appendChild(el("div", null, "changed since " + dates[d - 1]));
    if (data.conflict[i] && data.conflict[i].indexOf(d) >= 0) box.appendChild(el("div", null, "conflicting reports"));
    if (impreciseAt(i, d)) box.appendChild(el("div", "geomap-imprecise", "\u2248 only approximate reports"));
    return box;
  }
  function reportItem(r) {
    var li = el("li");
    var head = el("div");
    head.appendChild(el("span", null, r[0] + " · " + r[1] + " · " + statusLabel(r[2])));
    li.appendChild(head);
    if (r[3]) {
      var href = safeHref(r[3]);
      var src;
      if (href) {
        src = el("a", null, r[3]);
        src.href = href;
        src.target = "_blank";
        src.rel = "noopener noreferrer";
      } else {
        src = el("span", null, r[3]);
      }
      var line = el("div", null, "Source: ");
      line.appendChild(src);
      li.appendChild(line);
    }
    if (r[4]) li.appendChild(el("div", "geomap-note", r[4]));
    if (r[7]) li.appendChild(el("div", "geomap-imprecise", "\u2248 " + r[7]));
    return li;
  }
  function popupFor(i, d) {
    var box = el("div", "geomap-pop");
    box.appendChild(el("b", null, names[i]));
    box.appendChild(el("div", null, statusLabel(code(i, d)) + " on " + dates[d]));
    var refs = runValue(data.evidence[i], d, []);
    var total = countOf(i, d, refs.length);
    var plus = total === COUNTS.length - 1 ? "+" : "";
    if (!total) {
      box.appendChild(el("div", null, "No report on or before this date."));
    } else if (!refs.length) {
      box.appendChild(el("div", null, total + plus + (total === 1 ? " report" : " reports") +
        " (not carried in this page; export the timeline to read them)"));
    } else {
      box.appendChild(el("div", null, total === 1 ? "Report:" : total + plus + " reports:"));
      var list = el("ol");
      refs.forEach(function (k) { if (data.reports[k]) list.appendChild(reportItem(data.reports[k])); });
      box.appendChild(list);
      if (total > refs.length) {
        box.appendChild(el("div", null, "and " + (total - refs.length) + plus + " earlier (in the export)"));
      }
    }
    return box;
  }
  function areaLayer(d, fixed) {
    var layers = new Array(nA);
    var geo = L.geoJSON(areaFeatures, {
      style: function (f) { return styleFor(f.properties.i, fixed ? d : state.d); },
      onEachFeature: function (f, layer) {
        var i = f.properties.i;
        layers[i] = layer;
        layer.bindTooltip(function () { return tooltipFor(i, fixed ? d : state.d); }, {sticky: true});
        layer.bindPopup(function () { return popupFor(i, fixed ? d : state.d); }, {maxWidth: 380});
      }
    });
    geo.areaLayers = layers;
    return geo;
  }

  // Without a basemap: neighbours underneath, the outline of all the areas on top.
  if (data.neighbours) {
    // Neighbours' borders only, fading towards the edge of the backdrop: no fill, so no edge.
    map.createPane("geomapBackdrop").style.zIndex = 350;
    data.neighbours.forEach(function (band) {
      var lines = geomapDecode([band[1]], data.scale).coordinates[0];
      L.geoJSON({type: "MultiLineString", coordinates: lines}, {pane: "geomapBackdrop", interactive: false,
        style: {color: "#8f8a80", weight: 1.2, opacity: band[0]}}).addTo(map);
    });
  }
  if (data.outline) {
    var outlinePane = map.createPane("geomapOutline");
    outlinePane.style.zIndex = 450;
    outlinePane.style.pointerEvents = "none";
    L.geoJSON(decode(data.outline), {pane: "geomapOutline", interactive: false,
      style: {fill: false, color: "#333333", weight: 2.2}}).addTo(map);
  }

  // Panel: title, data range, counts for the shown date.
  var panel = L.control({position: "topright"});
  var panelBox = el("div", "geomap-box geomap-panel");
  if (data.title) panelBox.appendChild(el("div", "geomap-title", data.title));
  panelBox.appendChild(el("div", "geomap-range", "Reports from " + data.range[0] + " to " + data.range[1]));
  var panelDate = el("div", "geomap-panel-date");
  panelBox.appendChild(panelDate);
  var countList = el("ul", "geomap-counts");
  var countItems = statuses.map(function (s) {
    var li = el("li");
    li.appendChild(swatch(s.color));
    var text = el("span");
    li.appendChild(text);
    countList.appendChild(li);
    return text;
  });
  panelBox.appendChild(countList);
  var changedLine = el("div", "geomap-changed");
  panelBox.appendChild(changedLine);
  panel.onAdd = function () { L.DomEvent.disableClickPropagation(panelBox); return panelBox; };
  panel.addTo(map);

  // Legend.
  var legend = L.control({position: "bottomright"});
  var legendBox = el("div", "geomap-box geomap-legend");
  legendBox.appendChild(el("h4", null, "Status"));
  statuses.forEach(function (s) {
    var line = el("div");
    line.appendChild(swatch(s.color));
    line.appendChild(el("span", null, s.label));
    legendBox.appendChild(line);
  });
  var changedKey = el("div");
  changedKey.appendChild(el("span", "geomap-swatch geomap-changed-swatch"));
  changedKey.appendChild(el("span", null, "changed since the previous date"));
  legendBox.appendChild(changedKey);
  legend.onAdd = function () { return legendBox; };
  legend.addTo(map);

  function updatePanel(d) {
    var counts = statuses.map(function () { return 0; });
    var changed = 0;
    for (var i = 0; i < nA; i++) {
      counts[code(i, d)]++;
      if (changedAt(i, d)) changed++;
    }
    panelDate.textContent = "On " + dates[d] + ":";
    countItems.forEach(function (node, k) {
      node.textContent = statuses[k].label + ": " + counts[k] + " of " + nA + " " + noun();
    });
    changedLine.textContent = d === 0 ? "First reporting date" :
      changed + " " + plural(changed, noun()) + " changed since " + dates[d - 1];
    return counts;
  }

  function dateFromHash() {
    var text = "";
    try { text = decodeURIComponent((window.location.hash || "").replace(/^#/, "")); } catch (e) { return null; }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
    var found = 0;
    for (var j = 0; j < nD; j++) if (dates[j] <= text) found = j;
    return found;
  }
  function writeHash(d) {
    try { history.replaceState(null, "", "#" + dates[d]); } catch (e) {}
  }

  var state = {d: opts.start, playing: null, lastStepMs: null};
  var api = {map: map, dates: dates, state: state, data: data};
  window.geomapMaps = window.geomapMaps || [];
  window.geomapMaps.push(api);

  if (opts.markers) addMarkers();

  if (opts.mode === "per-date") {
    var groups = opts.groups.map(function (name) { return window[name]; });
    var built = {};
    var buildGroup = function (d) {
      if (built[d]) return;
      built[d] = true;
      areaLayer(d, true).addTo(groups[d]);
    };
    var show = function (d, fromHash) {
      state.d = d;
      updatePanel(d);
      if (api.refreshMarkers) api.refreshMarkers(d);
      if (!fromHash) writeHash(d);
    };
    // One date at a time, like radio buttons: ticking a date hides the others, and the
    // shown date cannot be unticked (tick another one instead).
    var switching = false;
    // Deferred: the layer control is still handling the click and would not show the change.
    map.on("overlayadd", function (e) {
      var d = groups.indexOf(e.layer);
      if (d >= 0 && !switching) setTimeout(function () { selectOnly(d, false); }, 0);
    });
    map.on("overlayremove", function (e) {
      var d = groups.indexOf(e.layer);
      if (d >= 0 && d === state.d && !switching) {
        setTimeout(function () { if (!map.hasLayer(groups[d])) selectOnly(d, true); }, 0);
      }
    });
    groups.forEach(function (g, d) { g.on("add", function () { buildGroup(d); }); });
    var selectOnly = function (d, fromHash) {
      switching = true;
      try {
        groups.forEach(function (g, k) { if (k !== d && map.hasLayer(g)) map.removeLayer(g); });
        buildGroup(d);
        if (!map.hasLayer(groups[d])) groups[d].addTo(map);
      } finally {
        switching = false;
      }
      show(d, fromHash);
    };
    var initial = dateFromHash();
    selectOnly(initial === null ? opts.start : initial, true);
    window.addEventListener("hashchange", function () {
      var d = dateFromHash();
      if (d !== null) selectOnly(d, true);
    });
    api.setDate = function (d) { selectOnly(Math.max(0, Math.min(nD - 1, d)), false); };
    return api;
  }

  var geo = areaLayer(0, false).addTo(map);
  var areaLayers = geo.areaLayers;
  var shown = new Array(nA);

  // Slider control: the date (large), play/pause, previous/next, range input.
  var slider = L.control({position: "bottomleft"});
  var sliderBox = el("div", "geomap-box geomap-slider");
  var dateText = el("div", "geomap-date");
  sliderBox.appendChild(dateText);
  var rowBox = el("div", "geomap-row");
  var prev = el("button", "geomap-prev", "\u25C0");
  prev.type = "button"; prev.title = "Previous date (left arrow)";
  var play = el("button", "geomap-play", "\u25B6 Play");
  play.type = "button"; play.title = "Play / pause";
  var next = el("button", "geomap-next", "\u25B6");
  next.type = "button"; next.title = "Next date (right arrow)";
  var range = el("input", "geomap-range-input");
  range.type = "range"; range.min = "0"; range.max = String(nD - 1); range.step = "1";
  range.setAttribute("aria-label", "Reporting date");
  rowBox.appendChild(play); rowBox.appendChild(prev); rowBox.appendChild(range); rowBox.appendChild(next);
  sliderBox.appendChild(rowBox);
  sliderBox.appendChild(el("div", "geomap-hint", nD + " reporting dates, " + dates[0] + " to " + dates[nD - 1] +
    " \u00B7 arrow keys step"));
  slider.onAdd = function () {
    L.DomEvent.disableClickPropagation(sliderBox);
    L.DomEvent.disableScrollPropagation(sliderBox);
    return sliderBox;
  };
  slider.addTo(map);

  function restyle(d) {
    var front = [];
    for (var i = 0; i < nA; i++) {
      var layer = areaLayers[i];
      if (!layer) continue;
      var c = code(i, d), ch = changedAt(i, d);
      var key = c * 2 + (ch ? 1 : 0);
      if (shown[i] !== key) {
        layer.setStyle(styleFor(i, d));
        shown[i] = key;
      }
      if (ch) front.push(layer);
    }
    for (var k = 0; k < front.length; k++) front[k].bringToFront();
  }
  function setDate(d, fromHash) {
    d = Math.max(0, Math.min(nD - 1, d | 0));
    var t0 = performance.now();
    state.d = d;
    restyle(d);
    state.counts = updatePanel(d);
    dateText.textContent = dates[d];
    range.value = String(d);
    if (api.refreshMarkers) api.refreshMarkers(d);
    geo.eachLayer(function (layer) { if (layer.isTooltipOpen && layer.isTooltipOpen()) layer.closeTooltip(); });
    state.lastStepMs = performance.now() - t0;
    if (!fromHash) writeHash(d);
    return state.lastStepMs;
  }
  function stop() {
    if (state.playing) { clearInterval(state.playing); state.playing = null; }
    play.textContent = "\u25B6 Play";
  }
  function start() {
    if (state.d >= nD - 1) setDate(0, false);
    play.textContent = "\u275A\u275A Pause";
    state.playing = setInterval(function () {
      if (state.d >= nD - 1) { stop(); return; }
      setDate(state.d + 1, false);
    }, Math.max(80, Math.min(700, 20000 / nD)));
  }
  L.DomEvent.on(range, "input", function () { stop(); setDate(parseInt(range.value, 10), false); });
  L.DomEvent.on(prev, "click", function () { stop(); setDate(state.d - 1, false); });
  L.DomEvent.on(next, "click", function () { stop(); setDate(state.d + 1, false); });
  L.DomEvent.on(play, "click", function () { if (state.playing) stop(); else start(); });
  document.addEventListener("keydown", function (e) {
    if (e.target === range) return;
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (e.key === "ArrowLeft") { stop(); setDate(state.d - 1, false); e.preventDefault(); }
    else if (e.key === "ArrowRight") { stop(); setDate(state.d + 1, false); e.preventDefault(); }
  });
  window.addEventListener("hashchange", function () {
    var d = dateFromHash();
    if (d !== null && d !== state.d) setDate(d, true);
  });

  api.layers = areaLayers;
  api.setDate = function (d) { return setDate(d, false); };
  api.step = function () { return setDate(state.d + 1 >= nD ? 0 : state.d + 1, false); };
  api.play = start; api.stop = stop;
  var initialDate = dateFromHash();
  setDate(initialDate === null ? opts.start : initialDate, initialDate === null);
  return api;

  function addMarkers() {
    var places = {}, order = [];
    data.reports.forEach(function (r, k) {
      if (r[5] === null || r[6] === null || r[5] === undefined || r[6] === undefined) return;
      var key = r[1] + "\u0000" + r[5] + "\u0000" + r[6];
      if (!places[key]) { places[key] = {reports: [], lat: r[5], lon: r[6], name: r[1]}; order.push(key); }
      places[key].reports.push(k);
    });
    var group = L.featureGroup().addTo(map);
    var circles = order.map(function (key) {
      var p = places[key];
      p.reports.sort(function (a, b) { return data.reports[a][0] < data.reports[b][0] ? -1 : 1; });
      var circle = L.circleMarker([p.lat, p.lon], {radius: 5, weight: 1.5, color: "#222222", fillOpacity: 0.95});
      circle.bindTooltip(function () {
        var box = el("div", "geomap-tip");
        box.appendChild(el("b", null, p.name));
        box.appendChild(el("div", null, p.reports.length === 1 ? "1 report" : p.reports.length + " reports"));
        return box;
      });
      circle.bindPopup(function () {
        var box = el("div", "geomap-pop");
        box.appendChild(el("b", null, p.name));
        var list = el("ol");
        p.reports.forEach(function (k) { list.appendChild(reportItem(data.reports[k])); });
        box.appendChild(list);
        return box;
      }, {maxWidth: 380});
      return {circle: circle, place: p};
    });
    api.refreshMarkers = function (d) {
      var day = dates[d];
      circles.forEach(function (c) {
        var latest = null;
        c.place.reports.forEach(function (k) { if (data.reports[k][0] <= day) latest = k; });
        if (latest === null) { if (group.hasLayer(c.circle)) group.removeLayer(c.circle); return; }
        var s = statuses[data.reports[latest][2]];
        c.circle.setStyle({fillColor: s ? s.color : "#ffffff"});
        if (!group.hasLayer(c.circle)) group.addLayer(c.circle);
      });
    };
  }
}
