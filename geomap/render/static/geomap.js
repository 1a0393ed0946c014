var FILL_OPACITY = 0.78;

// The page may be zoomed with two fingers (the map template forbids it; small text needs it): pinching the
// map still zooms the map.
(function () {
  "use strict";
  var viewport = document.querySelector('meta[name="viewport"]');
  if (viewport) viewport.setAttribute("content", "width=device-width, initial-scale=1");
})();

// A page whose Leaflet comes from the network, opened without it, says so instead of staying blank.
window.addEventListener("load", function () {
  "use strict";
  if (typeof L !== "undefined") return;
  var note = document.createElement("p");
  note.className = "geomap-offline";
  note.textContent = "This map could not load its map library (Leaflet) from the network. Open it with a " +
    "network connection, or make it with geomap map --self-contained (control_map(..., self_contained=True)) " +
    "to view it offline.";
  document.body.insertBefore(note, document.body.firstChild);
});

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
  // A per-date string, or its runs ("~" then character and length per run, comma-separated).
  function expandRuns(text) {
    if (!text || text.charAt(0) !== "~") return text;
    var out = [], runs = text.slice(1).split(",");
    for (var r = 0; r < runs.length; r++) out.push(new Array(parseInt(runs[r].slice(1), 10) + 1).join(runs[r].charAt(0)));
    return out.join("");
  }
  data.table = data.table.map(expandRuns);
  if (data.counts) data.counts = data.counts.map(expandRuns);
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
    s.style.backgroundColor = color;
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

  var dateLabels = {};
  if (data.date_labels) dates.forEach(function (iso, j) { dateLabels[iso] = data.date_labels[j]; });
  if (data.other_date_labels) Object.keys(data.other_date_labels).forEach(function (iso) {
    dateLabels[iso] = data.other_date_labels[iso];
  });
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // A date as shown: the format asked for (sent as text), else "12 Aug 2021" (as geomap.render.style.format_date).
  function dl(iso) {
    if (Object.prototype.hasOwnProperty.call(dateLabels, iso)) return dateLabels[iso];
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? parseInt(m[3], 10) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1] : iso;
  }
  function decode(polygons) { return geomapDecode(polygons, data.scale); }
  var patternBase = "geomap-hatch-" + opts.dataId.replace(/[^A-Za-z0-9_-]/g, "") + "-";
  function fillFor(k) { return statuses[k].hatch ? "url(#" + patternBase + k + ")" : statuses[k].color; }
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
  // the browser tab says what the page is: the title, or the control of its areas by date
  try { document.title = data.title || ("Control of " + noun() + " by date"); } catch (e) {}

  // An area whose status rests only on reports with an approximate place or date is drawn lighter.
  function impreciseAt(i, d) {
    var refs = data.evidence.length ? runValue(data.evidence[i], d, []) : [];
    return refs.length > 0 && refs.every(function (k) { return data.reports[k] && data.reports[k][7]; });
  }
  function styleFor(i, d) {
    var changed = changedAt(i, d);
    return {fillColor: fillFor(code(i, d)), fillOpacity: impreciseAt(i, d) ? FILL_OPACITY / 2 : FILL_OPACITY,
            color: changed ? "#111111" : "#4d4d4d", weight: changed ? 3 : 0.7, opacity: 1};
  }
  // On a district map: the province each district lies in.
  function groupLine(box, i) {
    if (data.groups) box.appendChild(el("div", "geomap-group", data.groups.names[data.groups.of[i]] + " province"));
  }
  // Whether area i's reports conflict on date d: per area a hex string, date 4j + k in bit k of character j.
  function conflictAt(i, d) {
    var flags = data.conflict[i] || "", c = flags.charAt(d >> 2);
    return c !== "" && ((parseInt(c, 16) >> (d & 3)) & 1) === 1;
  }
  function tooltipFor(i, d) {
    var box = el("div", "geomap-tip");
    box.appendChild(el("b", null, names[i]));
    groupLine(box, i);
    box.appendChild(el("div", null, statusLabel(code(i, d)) + " on " + dl(dates[d])));
    var since = sinceOf(i, d);
    if (since) box.appendChild(el("div", null, "since " + dl(since)));
    if (changedAt(i, d)) box.appendChild(el("div", null, "changed since " + dl(dates[d - 1])));
    if (conflictAt(i, d)) box.appendChild(el("div", null, "conflicting reports"));
    if (impreciseAt(i, d)) box.appendChild(el("div", "geomap-imprecise", "\u2248 only approximate reports"));
    return box;
  }
  function reportItem(r) {
    var li = el("li");
    var head = el("div");
    head.appendChild(el("span", null, dl(r[0]) + " · " + r[1] + " · " + statusLabel(r[2])));
    if (r[8]) head.appendChild(el("span", "geomap-wide", " · province-wide"));
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
    groupLine(box, i);
    box.appendChild(el("div", null, statusLabel(code(i, d)) + " on " + dl(dates[d])));
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
        layer.bindPopup(function () { sizePopup(layer); return popupFor(i, fixed ? d : state.d); });
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
  if (data.groups) {
    // Province borders over the districts, under the outline; clicks go through to the districts.
    var bordersPane = map.createPane("geomapGroups");
    bordersPane.style.zIndex = 440;
    bordersPane.style.pointerEvents = "none";
    L.geoJSON({type: "MultiLineString", coordinates: geomapDecode([data.groups.borders], data.scale).coordinates[0]},
      {pane: "geomapGroups", interactive: false, style: {color: "#222222", weight: 1.8, opacity: 0.9}}).addTo(map);
  }
  if (data.outline) {
    var outlinePane = map.createPane("geomapOutline");
    outlinePane.style.zIndex = 450;
    outlinePane.style.pointerEvents = "none";
    L.geoJSON(decode(data.outline), {pane: "geomapOutline", interactive: false,
      style: {fill: false, color: "#333333", weight: 2.2}}).addTo(map);
  }

  // One panel: title, the date (large), the slider, the legend with counts, what changed.
  var panel = L.control({position: "topright"});
  var panelBox = el("div", "geomap-box geomap-panel");
  var headBox = el("div", "geomap-head");
  var dateText = el("div", "geomap-date");
  // As wide as the longest date, so the panel keeps its width from date to date.
  dateText.style.minWidth = Math.max.apply(null, dates.map(function (x) { return dl(x).length; })) * 0.62 + "em";
  headBox.appendChild(dateText);
  var controls = el("span", "geomap-buttons");
  headBox.appendChild(controls);
  var toggle = el("button", "geomap-toggle", "\u25BE");
  toggle.type = "button"; toggle.title = "Show or hide the legend";
  toggle.setAttribute("aria-expanded", "true");
  headBox.appendChild(toggle);
  if (data.title) panelBox.appendChild(el("div", "geomap-title", data.title));
  panelBox.appendChild(headBox);
  var bodyBox = el("div", "geomap-body");
  panelBox.appendChild(bodyBox);
  var countList = el("ul", "geomap-counts");
  var countItems = statuses.map(function (s) {
    var li = el("li");
    var sw = swatch(s.color);
    if (s.hatch) sw.classList.add("geomap-hatch");
    li.appendChild(sw);
    li.appendChild(el("span", "geomap-key", s.label));
    var n = el("span", "geomap-count");
    li.appendChild(n);
    countList.appendChild(li);
    return n;
  });
  var changedItem = el("li", "geomap-changed");
  changedItem.appendChild(el("span", "geomap-swatch geomap-changed-swatch"));
  var changedLine = el("span", "geomap-key");
  changedItem.appendChild(changedLine);
  var changedCount = el("span", "geomap-count");
  changedItem.appendChild(changedCount);
  countList.appendChild(changedItem);
  bodyBox.appendChild(countList);
  var rangeLine = el("div", "geomap-range", nA + " " + plural(nA, noun()) + ", " +
    nD + " reporting " + (nD === 1 ? "date" : "dates") + ", reports " +
    dl(data.range[0]) + " \u2013 " + dl(data.range[1]));
  bodyBox.appendChild(rangeLine);
  // Slider (not with per-date layers): play/pause and previous/next beside the date, the range input under it.
  var prev = el("button", "geomap-prev", "\u25C0");
  prev.type = "button"; prev.title = "Previous date (left arrow)";
  var play = el("button", "geomap-play", "\u25B6 Play");
  play.type = "button"; play.title = "Play / pause";
  var next = el("button", "geomap-next", "\u25B6");
  next.type = "button"; next.title = "Next date (right arrow)";
  var range = el("input", "geomap-range-input");
  range.type = "range"; range.min = "0"; range.max = String(nD - 1); range.step = "1";
  range.setAttribute("aria-label", "Reporting date");
  if (opts.mode !== "per-date") {
    controls.appendChild(prev); controls.appendChild(play); controls.appendChild(next);
    panelBox.insertBefore(range, bodyBox);
  }
  panel.onAdd = function () {
    L.DomEvent.disableClickPropagation(panelBox);
    L.DomEvent.disableScrollPropagation(panelBox);
    return panelBox;
  };
  panel.addTo(map);

  // Small screens (a phone, a narrow notebook cell): the panel folds to its first line, and opens on tap.
  var small = false;
  function setCollapsed(collapsed) {
    panelBox.classList.toggle("geomap-collapsed", collapsed);
    toggle.textContent = collapsed ? "\u25BE" : "\u25B4";
    toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    fitPanel();
    placeLabels();  // the panel's new size changes where names may go
  }
  function fitPanel() {
    var size = map.getSize();
    // Room left by the zoom control (left) and the attribution (bottom).
    panelBox.style.maxHeight = Math.max(60, size.y - 20 - 34) + "px";
    panelBox.style.maxWidth = Math.max(160, size.x - 20 - 54) + "px";
  }
  function layout() {
    var size = map.getSize();
    var nowSmall = size.x < 640 || size.y < 460;
    container.classList.toggle("geomap-small", nowSmall);
    if (nowSmall !== small) { small = nowSmall; setCollapsed(small); }
    fitPanel();
  }
  L.DomEvent.on(toggle, "click", function () { setCollapsed(!panelBox.classList.contains("geomap-collapsed")); });
  map.on("resize", layout);
  layout();

  function popupOptions() {
    var size = map.getSize();
    var top = small ? panelBox.offsetHeight + 20 : 10;
    var right = small ? 10 : Math.min(panelBox.offsetWidth + 20, size.x / 2);
    // maxWidth is the content's; the popup's frame adds about 50 px.
    return {maxWidth: Math.max(150, Math.min(380, size.x - 54 - 10 - 50 - (small ? 0 : right))),
      maxHeight: Math.max(120, size.y - top - 60), autoPanPaddingTopLeft: L.point(54, top),
      autoPanPaddingBottomRight: L.point(right, 30)};
  }
  // Called as the popup's content is built, before Leaflet sizes and pans it: fit it to the map as it is now.
  function sizePopup(layer) {
    var popup = layer.getPopup();
    if (popup) L.Util.extend(popup.options, popupOptions());
  }
  // One tooltip or popup at a time: opening a popup closes the tooltips and keeps them closed.
  var popupOpen = false;
  map.on("popupopen", function (e) {
    popupOpen = true;
    map.eachLayer(function (layer) { if (layer.getTooltip && layer.getTooltip() && layer.isTooltipOpen()) layer.closeTooltip(); });
    if (small && !panelBox.classList.contains("geomap-collapsed")) setCollapsed(true);
  });
  map.on("popupclose", function () { popupOpen = false; });
  map.on("tooltipopen", function (e) { if (popupOpen && e.tooltip) map.closeTooltip(e.tooltip); });

  function updatePanel(d) {
    var counts = statuses.map(function () { return 0; });
    var changed = 0;
    for (var i = 0; i < nA; i++) {
      counts[code(i, d)]++;
      if (changedAt(i, d)) changed++;
    }
    dateText.textContent = dl(dates[d]);
    countItems.forEach(function (node, k) { node.textContent = counts[k] + " of " + nA; });
    changedLine.textContent = d === 0 ? "changed: first reporting date" : "changed since " + dl(dates[d - 1]);
    changedCount.textContent = d === 0 ? "" : String(changed);
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

  // Hatching (e.g. contested): an SVG pattern of the status colour with dark stripes, so it reads in greyscale.
  function ensurePatterns() {
    var svg = map.getPane("overlayPane").querySelector("svg");
    if (!svg) return;
    var NS = "http://www.w3.org/2000/svg";
    statuses.forEach(function (s, k) {
      if (!s.hatch || document.getElementById(patternBase + k)) return;
      var defs = svg.querySelector("defs");
      if (!defs) { defs = document.createElementNS(NS, "defs"); svg.insertBefore(defs, svg.firstChild); }
      var pattern = document.createElementNS(NS, "pattern");
      pattern.setAttribute("id", patternBase + k);
      pattern.setAttribute("data-color", s.color);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternTransform", "rotate(45)");
      var base = document.createElementNS(NS, "rect");
      base.setAttribute("width", "8"); base.setAttribute("height", "8"); base.setAttribute("fill", s.color);
      var stripe = document.createElementNS(NS, "rect");
      stripe.setAttribute("width", "2.5"); stripe.setAttribute("height", "8");
      stripe.setAttribute("fill", "#2b2b2b"); stripe.setAttribute("fill-opacity", "0.6");
      pattern.appendChild(base); pattern.appendChild(stripe);
      defs.appendChild(pattern);
    });
  }

  // Fit the areas into the part of the map the panel leaves free.
  function fitView() {
    var size = map.getSize();
    var topLeft = [54, 10], bottomRight = [10, 30];
    if (small) topLeft[1] = panelBox.offsetHeight + 20;
    else bottomRight[0] = panelBox.offsetWidth + 20;
    if (size.x - topLeft[0] - bottomRight[0] < 120) { topLeft[0] = 10; bottomRight[0] = 10; }
    if (size.y - topLeft[1] - bottomRight[1] < 120) { topLeft[1] = 10; bottomRight[1] = 10; }
    map.options.zoomSnap = 0.1;
    map.fitBounds(L.latLngBounds(data.bounds), {paddingTopLeft: topLeft, paddingBottomRight: bottomRight,
      animate: false});
  }

  // Names: countries, then areas, then capitals; each drawn only where it touches
  // no name already placed at this zoom (and an area's name only where its area is big enough).
  var labels = [];
  var areaBounds = areaFeatures.features.map(function (f) { return L.geoJSON(f).getBounds(); });
  function makeLabel(kind, text, lat, lng, area) {
    var node = el("div", "geomap-label geomap-label-" + kind);
    var inner = el("div", "geomap-label-inner");
    if (kind === "capital") inner.appendChild(el("span", "geomap-dot"));
    inner.appendChild(el("span", "geomap-label-text", text));
    node.appendChild(inner);
    labelPane.appendChild(node);
    return {kind: kind, node: node, latlng: L.latLng(lat, lng), area: area, w: 0, h: 0};
  }
  var labelPane = null;
  function addLabels() {
    if (!opts.labels || !data.labels) return;
    labelPane = map.createPane("geomapLabels");
    labelPane.style.zIndex = 460;
    labelPane.style.pointerEvents = "none";
    labelPane.classList.add("leaflet-zoom-hide");
    var sc = data.scale, spec = data.labels;
    (spec.countries || []).forEach(function (c) { labels.push(makeLabel("country", c[0], c[2] / sc, c[1] / sc, null)); });
    var order = [];
    (spec.points || []).forEach(function (p, i) { if (p && p.length) order.push(i); });
    function extent(i) {
      var b = areaBounds[i];
      return (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth());
    }
    // Smallest areas first: they have the fewest places for a name; large ones have several candidates.
    order.sort(function (a, b) { return extent(a) - extent(b); });
    order.forEach(function (i) {
      var options = spec.points[i];
      var lab = makeLabel("area", names[i], options[0][1] / sc, options[0][0] / sc, i);
      lab.options = options.map(function (p) { return L.latLng(p[1] / sc, p[0] / sc); });
      labels.push(lab);
    });
    (spec.capitals || []).forEach(function (c) { labels.push(makeLabel("capital", c[1], c[3] / sc, c[2] / sc, c[0])); });
    labels.forEach(function (lab) {
      var inner = lab.node.firstChild;
      lab.w = inner.offsetWidth; lab.h = inner.offsetHeight;
    });
    map.on("zoomend viewreset moveend resize", placeLabels);
    api.labels = labels;
  }
  // Whether a box (layer points) covers a mapped area: any of 15 points over it inside an area's rings.
  function inRing(ring, x, y) {
    var inside = false;
    for (var a = 0, b = ring.length - 1; a < ring.length; b = a++) {
      var xa = ring[a][0], ya = ring[a][1], xb = ring[b][0], yb = ring[b][1];
      if ((ya > y) !== (yb > y) && x < (xb - xa) * (y - ya) / (yb - ya) + xa) inside = !inside;
    }
    return inside;
  }
  function overAreas(box) {
    for (var sx = 0; sx <= 4; sx++) {
      for (var sy = 0; sy <= 2; sy++) {
        var ll = map.layerPointToLatLng([box[0] + (box[2] - box[0]) * sx / 4, box[1] + (box[3] - box[1]) * sy / 2]);
        for (var f = 0; f < areaFeatures.features.length; f++) {
          if (!areaBounds[f].contains(ll)) continue;
          var polygons = areaFeatures.features[f].geometry.coordinates;
          for (var g = 0; g < polygons.length; g++) {
            var hit = inRing(polygons[g][0], ll.lng, ll.lat);
            for (var r = 1; hit && r < polygons[g].length; r++) if (inRing(polygons[g][r], ll.lng, ll.lat)) hit = false;
            if (hit) return true;
          }
        }
      }
    }
    return false;
  }
  function placeLabels() {
    if (!labelPane) return;
    var placed = [];
    function free(box) {
      for (var k = 0; k < placed.length; k++) {
        var o = placed[k];
        if (box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) return false;
      }
      return true;
    }
    // The controls are obstacles: no name is drawn under the panel, the zoom buttons or the scale.
    var origin = map.containerPointToLayerPoint([0, 0]);
    var outer = container.getBoundingClientRect();
    var size = map.getSize();
    container.querySelectorAll(".leaflet-control").forEach(function (node) {
      var r = node.getBoundingClientRect();
      if (!r.width) return;
      placed.push([r.left - outer.left + origin.x, r.top - outer.top + origin.y,
        r.right - outer.left + origin.x, r.bottom - outer.top + origin.y]);
    });
    var view = [origin.x + 2, origin.y + 2, origin.x + size.x - 2, origin.y + size.y - 2];
    function inView(box) { return box[0] >= view[0] && box[1] >= view[1] && box[2] <= view[2] && box[3] <= view[3]; }
    labels.forEach(function (lab) {
      var w = lab.w, h = lab.h, pad = 2, box = null, at = null;
      if (lab.kind === "capital") {
        // The dot on the place, the name to its right (or left).
        var c = map.latLngToLayerPoint(lab.latlng);
        var right = [c.x - 5 - pad, c.y - h / 2 - pad, c.x - 5 + w + pad, c.y + h / 2 + pad];
        var left = [c.x + 5 - w - pad, c.y - h / 2 - pad, c.x + 5 + pad, c.y + h / 2 + pad];
        if (free(right) && inView(right)) { box = right; lab.node.classList.remove("geomap-left"); }
        else if (free(left) && inView(left)) { box = left; lab.node.classList.add("geomap-left"); }
        at = c;
      } else if (lab.kind === "country") {
        // A country's name stays in view: it slides in from the edge rather than being cut off, but never
        // onto the mapped areas (on a phone, "IRAN" slid in over Herat).
        var q = map.latLngToLayerPoint(lab.latlng);
        var shifts = [[0, 0], [0, 40], [0, -40], [80, 0], [-80, 0], [0, 80], [0, -80], [160, 0], [-160, 0]];
        for (var m = 0; m < shifts.length && !box; m++) {
          var x = Math.max(view[0] + w / 2 + 6, Math.min(view[2] - w / 2 - 6, q.x + shifts[m][0]));
          var y = Math.max(view[1] + h / 2 + 6, Math.min(view[3] - h / 2 - 6, q.y + shifts[m][1]));
          var around = [x - w / 2 - pad, y - h / 2 - pad, x + w / 2 + pad, y + h / 2 + pad];
          if (free(around) && !overAreas(around)) { box = around; at = L.point(x, y); }
        }
      } else {
        var b = areaBounds[lab.area];
        var sw = map.latLngToLayerPoint(b.getSouthWest()), ne = map.latLngToLayerPoint(b.getNorthEast());
        if (w <= (ne.x - sw.x) * 1.5 && h <= (sw.y - ne.y) * 1.2) {
          for (var k = 0; k < lab.options.length && !box; k++) {
            var p = map.latLngToLayerPoint(lab.options[k]);
            var centred = [p.x - w / 2 - pad, p.y - h / 2 - pad, p.x + w / 2 + pad, p.y + h / 2 + pad];
            if (free(centred) && inView(centred)) { box = centred; at = p; }
          }
        }
      }
      if (box) {
        placed.push(box);
        L.DomUtil.setPosition(lab.node, at);
        lab.node.style.visibility = "visible";
        lab.box = box;
      } else {
        lab.node.style.visibility = "hidden";
        lab.box = null;
      }
      lab.shown = !!box;
    });
  }

  fitView();
  addLabels();
  placeLabels();

  if (opts.markers) addMarkers();

  if (opts.mode === "per-date") {
    var groups = opts.groups.map(function (name) { return window[name]; });
    var built = {};
    var buildGroup = function (d) {
      if (built[d]) return;
      built[d] = true;
      areaLayer(d, true).addTo(groups[d]);
      ensurePatterns();
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
    // The hatch patterns live in the overlay's SVG, which exists only once a group is on the map.
    groups.forEach(function (g, d) { g.on("add", function () { buildGroup(d); ensurePatterns(); }); });
    var selectOnly = function (d, fromHash) {
      switching = true;
      try {
        groups.forEach(function (g, k) { if (k !== d && map.hasLayer(g)) map.removeLayer(g); });
        buildGroup(d);
        if (!map.hasLayer(groups[d])) groups[d].addTo(map);
        ensurePatterns();
      } finally {
        switching = false;
      }
      show(d, fromHash);
    };
    // On a small screen the list of dates folds to its icon (tap to open; a tap on the map or a date chosen
    // folds it again), as the panel does: open, it would cover much of the map. The list is added after
    // this script, so it is looked for once the page has loaded.
    var foldDates = function () {
      var box = map.getContainer().querySelector(".leaflet-control-layers");
      if (box && small) box.classList.remove("leaflet-control-layers-expanded");
    };
    window.addEventListener("load", function () {
      var box = map.getContainer().querySelector(".leaflet-control-layers");
      if (!box) return;
      var link = box.querySelector(".leaflet-control-layers-toggle");
      if (link) {
        L.DomEvent.on(link, "click", function (e) {  // opens (a tap also focuses the icon, which opens it too)
          L.DomEvent.preventDefault(e);
          box.classList.add("leaflet-control-layers-expanded");
        });
      }
      map.on("click", foldDates);
      map.on("overlayadd", function () { setTimeout(foldDates, 0); });
      map.on("resize", foldDates);
      foldDates();
    });
    var initial = dateFromHash();
    selectOnly(initial === null ? opts.start : initial, true);
    placeLabels();
    window.addEventListener("hashchange", function () {
      var d = dateFromHash();
      if (d !== null) selectOnly(d, true);
    });
    api.setDate = function (d) { selectOnly(Math.max(0, Math.min(nD - 1, d)), false); };
    return api;
  }

  var geo = areaLayer(0, false).addTo(map);
  ensurePatterns();
  var areaLayers = geo.areaLayers;
  var shown = new Array(nA);

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
    range.value = String(d);
    if (api.refreshMarkers) api.refreshMarkers(d);
    geo.eachLayer(function (layer) { if (layer.getTooltip() && layer.isTooltipOpen()) layer.closeTooltip(); });
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
  placeLabels();
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
    // Above the names (460): a capital's white dot must not hide the report made there.
    map.createPane("geomapMarkers").style.zIndex = 470;
    var circles = order.map(function (key) {
      var p = places[key];
      p.reports.sort(function (a, b) { return data.reports[a][0] < data.reports[b][0] ? -1 : 1; });
      var circle = L.circleMarker([p.lat, p.lon],
        {pane: "geomapMarkers", radius: 5, weight: 1.5, color: "#222222", fillOpacity: 0.95});
      circle.bindTooltip(function () {
        var box = el("div", "geomap-tip");
        box.appendChild(el("b", null, p.name));
        box.appendChild(el("div", null, p.reports.length === 1 ? "1 report" : p.reports.length + " reports"));
        return box;
      });
      circle.bindPopup(function () {
        sizePopup(circle);
        var box = el("div", "geomap-pop");
        box.appendChild(el("b", null, p.name));
        var list = el("ol");
        p.reports.forEach(function (k) { list.appendChild(reportItem(data.reports[k])); });
        box.appendChild(list);
        return box;
      });
      return {circle: circle, place: p};
    });
    var drawn = [];  // the shown circles, bottom to top
    api.refreshMarkers = function (d) {
      var day = dates[d];
      var shown = [];  // [circle, date of its latest report], in the places' order
      circles.forEach(function (c) {
        var latest = null, code = null, disagree = false;
        c.place.reports.forEach(function (k) { if (data.reports[k][0] <= day) latest = k; });
        if (latest === null) { if (group.hasLayer(c.circle)) group.removeLayer(c.circle); return; }
        // the place's reports of its latest date: when they disagree, the contested status, as for areas
        // (a scheme without one: the last of them in the file)
        c.place.reports.forEach(function (k) {
          var r = data.reports[k];
          if (r[0] !== data.reports[latest][0]) return;
          disagree = disagree || (code !== null && code !== r[2]);
          code = r[2];
        });
        var contested = data.contested === null || data.contested === undefined ? null : data.contested;
        if (disagree && contested !== null) code = contested;
        var s = statuses[code];
        c.circle.setStyle({fillColor: s ? s.color : "#ffffff"});
        if (!group.hasLayer(c.circle)) group.addLayer(c.circle);
        shown.push([c.circle, data.reports[latest][0]]);
      });
      // newer reports over older ones nearby, whatever dates were shown before (a stable sort: places of
      // one date keep their order); the circles are moved only when that order changes
      shown.sort(function (a, b) { return a[1] < b[1] ? -1 : (a[1] > b[1] ? 1 : 0); });
      var order = shown.map(function (s) { return s[0]; });
      var same = order.length === drawn.length && order.every(function (circle, i) { return circle === drawn[i]; });
      if (!same) order.forEach(function (circle) { circle.bringToFront(); });
      drawn = order;
    };
  }
}
