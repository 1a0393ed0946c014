"""The exploration notebook runs top to bottom offline, and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021.csv"


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.slow
def test_notebook_runs(tmp_path):
    pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel in the environment")
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            texts.append(output.get("text", ""))
            texts.extend(str(v) for v in output.get("data", {}).values())
    joined = "\n".join(texts)
    assert "0 unresolved reports" in joined
    dates = len(set(pd.read_csv(EXAMPLE, dtype=str)["date"]))
    assert f"{34 * dates} features = 34 provinces x {dates} dates" in joined
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the static map of one date and the counts per status
    assert "<ControlTimeline: 34 provinces" in joined  # the timeline's summary view
    assert "GeoDataFrame EPSG:4326" in joined
    assert "Kunduz" in joined
