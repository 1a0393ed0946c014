// Review page for proposed reports. Every value from the data is put on the page with textContent,
// so text taken from articles is only ever shown, never run.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var accepted = [];

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // The sentence with the written place and the trigger phrase marked (first occurrence of each).
  function markedSentence(sentence, marks) {
    var spans = [];
    marks.forEach(function (mark) {
      if (!mark.text) return;
      var at = sentence.toLowerCase().indexOf(mark.text.toLowerCase());
      if (at < 0) return;
      var overlaps = spans.some(function (s) { return at < s.end && s.start < at + mark.text.length; });
      if (!overlaps) spans.push({ start: at, end: at + mark.text.length, className: mark.className });
    });
    spans.sort(function (a, b) { return a.start - b.start; });
    var cell = el("td");
    var pos = 0;
    spans.forEach(function (s) {
      cell.appendChild(document.createTextNode(sentence.slice(pos, s.start)));
      cell.appendChild(el("mark", sentence.slice(s.start, s.end), s.className));
      pos = s.end;
    });
    cell.appendChild(document.createTextNode(sentence.slice(pos)));
    return cell;
  }

  function details(row) {
    var lines = [];
    ["province_iso", "level", "district", "date_basis", "claimed_by", "denied_by", "n_sources", "flag", "source",
      "sources", "note"].forEach(function (key) {
      if (row[key] !== undefined && row[key] !== "" && row[key] !== null) lines.push(key + ": " + row[key]);
    });
    return el("td", lines.join("\n"), "details");
  }

  // Each cell carries its column's name, shown before it where the rows are cards (a narrow screen).
  var headers = Array.prototype.map.call(document.querySelectorAll("#rows thead th"), function (th) {
    return th.textContent;
  });
  function labelCells(tr) {
    Array.prototype.forEach.call(tr.children, function (td, k) {
      if (headers[k]) td.dataset.label = headers[k];
    });
  }

  function render() {
    document.getElementById("title").textContent = data.title;
    document.title = data.title;
    var body = document.querySelector("#rows tbody");
    data.rows.forEach(function (row, i) {
      accepted[i] = true;
      var tr = el("tr");
      tr.dataset.index = String(i);
      if (row.flag) tr.classList.add("flagged");
      if (Number(row.confidence) < 0.8) tr.dataset.low = "1";
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.setAttribute("aria-label", "accept row " + (i + 1));
      box.addEventListener("change", function () {
        accepted[i] = box.checked;
        tr.classList.toggle("rejected", !box.checked);
        summary();
      });
      var first = el("td");
      first.appendChild(box);
      tr.appendChild(first);
      tr.appendChild(el("td", row.date));
      tr.appendChild(el("td", row.place));
      tr.appendChild(el("td", row.status, "status-" + String(row.status).replace(/[^a-z]/g, "")));
      tr.appendChild(el("td", row.confidence, Number(row.confidence) < 0.8 ? "low" : ""));
      tr.appendChild(markedSentence(String(row.evidence || ""), [
        { text: String(row.written || ""), className: "place" },
        { text: String(row.trigger || ""), className: "trigger" },
      ]));
      tr.appendChild(details(row));
      labelCells(tr);
      body.appendChild(tr);
    });
    var list = document.getElementById("unstated");
    data.unstated.forEach(function (item) {
      var li = el("li");
      var places = (item.places || []).map(function (p) { return { text: String(p), className: "place" }; });
      var cell = markedSentence(String(item.sentence || ""), places);
      while (cell.firstChild) li.appendChild(cell.firstChild);
      if (item.source) li.appendChild(el("span", " (" + item.source + ")", "details"));
      list.appendChild(li);
    });
    summary();
  }

  function summary() {
    var n = accepted.filter(Boolean).length;
    document.getElementById("summary").textContent =
      data.rows.length + " proposed report(s), " + n + " accepted; " + data.unstated.length +
      " sentence(s) name a place without a statement.";
  }

  function applyFilter() {
    var mode = document.getElementById("filter").value;
    document.querySelectorAll("#rows tbody tr").forEach(function (tr) {
      var row = data.rows[Number(tr.dataset.index)];
      var show = mode === "all" || (mode === "low" && tr.dataset.low === "1") || (mode === "flagged" && row.flag);
      tr.hidden = !show;
    });
  }

  function csvCell(value) {
    var text = value === undefined || value === null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // never a spreadsheet formula
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function exportCsv() {
    // every column the extractor wrote, in its order: the file maps as it is
    var columns = data.columns || ["date", "place", "status", "source", "note", "province_iso", "evidence", "confidence"];
    var lines = [columns.join(",")];
    data.rows.forEach(function (row, i) {
      if (accepted[i]) lines.push(columns.map(function (c) { return csvCell(row[c]); }).join(","));
    });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
    link.download = "accepted-reports.csv";
    link.click();
  }

  document.getElementById("filter").addEventListener("change", applyFilter);
  document.getElementById("export").addEventListener("click", exportCsv);
  render();
})();
