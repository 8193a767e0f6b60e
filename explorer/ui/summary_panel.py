"""Summary of the current variant: params, mult-adds (MACs), FLOPs, activation memory, accuracy."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from explorer.arch.accuracy import published_accuracy
from explorer.arch.blocks import block_totals
from explorer.arch.export import human_bytes, human_count, human_ratio
from explorer.arch.layers import model_totals
from explorer.arch.spec import MobileNetSpec
from explorer.ui.stable_label import StableLabel
from explorer.ui.theme import set_role
from explorer.ui.variant_state import VariantState

REFERENCE = MobileNetSpec(1.0, 224)


class SummaryPanel(QWidget):
    """Labelled totals for the current variant; ``fields`` maps a key to its value QLabel."""

    FIELDS = (
        ("variant", "Variant"),
        ("params", "Params"),
        ("trainable", "  trainable"),
        ("non_trainable", "  non-trainable"),
        ("macs", "Mult-adds (MACs)"),
        ("flops", "FLOPs (2 x MACs)"),
        ("act_peak", "Activations, peak"),
        ("act_total", "Activations, all"),
        ("weights_mem", "Weights (float32)"),
        ("vs_reference", "vs 1.0-224"),
        ("vs_reference_params", ""),
        ("separable", "Separable blocks"),
        ("top1", "ImageNet top-1"),
        ("top1_other", "  int8 / Keras"),
    )

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryPanel")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(3)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        tips = {
            "macs": "Mult-adds: one multiply plus one add. Counted for conv, depthwise, "
                    "pointwise and the classifier; batch norm, ReLU6 and pooling count 0.",
            "flops": "FLOPs = 2 x MACs (many tools mix the two up)",
            "act_peak": "Largest input + output of one layer, float32, batch 1: the working "
                        "set a sequential runtime needs",
            "act_total": "All layer outputs together, float32, batch 1 (no buffer reuse)",
            "separable": "Blocks 1-13 as depthwise separable convs versus the same blocks as "
                         "full 3x3 convolutions; the whole network (with conv1 and the "
                         "classifier) is in the Standard vs separable view",
            "vs_reference": "Ratio to MobileNet 1.0-224 (568.7 M mult-adds, 4.25 M params)",
            "top1": "TF-slim published top-1 (float); only the 16 pretrained variants have one",
            "top1_other": "TF-slim quantized (int8) top-1, and Keras' own measurement "
                          "(224 only)",
        }
        tips["vs_reference_params"] = tips["vs_reference"]  # the ratio's second row
        for key, caption in self.FIELDS:
            # Sized for the widest value the spin boxes reach (4.0-4096's FLOPs), so the
            # sidebar is wide enough for it at any desktop font size.
            value = StableLabel("5,847,941,709,824  (5.85 T)", self)
            value.setObjectName(f"summary_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # No word wrap: wrapped labels in a scroll area get squeezed instead of growing.
            # Constant size hints: a longer number must not widen the column and move every
            # label, nor make Qt lay out the text on each slider step.
            name = QLabel(caption, self)
            set_role(name, "caption")
            if key in tips:
                name.setToolTip(tips[key])
                value.setToolTip(tips[key])
            if key == "variant":
                set_role(value, "headline")
            form.addRow(name, value)
            self.fields[key] = value
        #: The 1.0-224 totals the "vs 1.0-224" rows divide by: a constant, computed once.
        self._reference = model_totals(REFERENCE)
        state.spec_changed.connect(self.show_spec)
        self.show_spec(state.spec)

    def text(self, key: str) -> str:
        """The text shown for ``key`` (tests and automation)."""
        return self.fields[key].text()

    @Slot(object)
    def show_spec(self, spec: MobileNetSpec) -> None:
        t = model_totals(spec)
        ref = self._reference
        f = self.fields
        f["variant"].setText(f"MobileNet {spec.label}")
        f["params"].setText(f"{t.params:,}  ({human_count(t.params)})")
        f["trainable"].setText(f"{t.trainable_params:,}")
        f["non_trainable"].setText(f"{t.non_trainable_params:,}")
        f["macs"].setText(f"{t.macs:,}  ({human_count(t.macs)})")
        f["flops"].setText(f"{t.flops:,}  ({human_count(t.flops)})")
        f["act_peak"].setText(f"{human_bytes(t.activation_bytes_peak)}  "
                              f"({human_count(t.activations_peak)} values)")
        f["act_total"].setText(human_bytes(t.activation_bytes_total))
        f["weights_mem"].setText(human_bytes(t.param_bytes))
        # Three significant figures: 0.1-32 is "0.000462x", not a rounded "0.00x".  Two
        # rows: both ratios on one line do not fit the sidebar's 200 px at 1024 px wide.
        f["vs_reference"].setText(f"{human_ratio(t.macs / ref.macs)} MACs")
        f["vs_reference_params"].setText(f"{human_ratio(t.params / ref.params)} params")
        b = block_totals(spec)
        f["separable"].setText(f"{b.reduction:.1f}x fewer mult-adds")
        acc = published_accuracy(spec)
        if acc is None:
            f["top1"].setText("not published")
            f["top1_other"].setText("n/a")
        else:
            keras = f"{acc.top1_keras:.1f} %" if acc.top1_keras is not None else "n/a"
            f["top1"].setText(f"{acc.top1_float:.1f} %")
            f["top1_other"].setText(f"{acc.top1_quant:.1f} % / {keras}")
