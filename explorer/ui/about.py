"""About dialog: the paper this tool follows and the formulas behind every number."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

ABOUT_HTML = """
<h2>MobileNet Explorer 0.1.0</h2>
<p>Explore the costs of MobileNet v1 layer by layer and classify images with ImageNet weights.</p>
<p><b>Paper:</b> Andrew G. Howard, Menglong Zhu, Bo Chen, Dmitry Kalenichenko, Weijun Wang,
Tobias Weyand, Marco Andreetto, Hartwig Adam. <i>MobileNets: Efficient Convolutional Neural
Networks for Mobile Vision Applications.</i> arXiv:1704.04861, 2017.</p>
<p><b>Formulas</b> (D<sub>K</sub> kernel size, M input channels, N output channels,
D<sub>F</sub> output size):</p>
<ul>
<li>Standard convolution:
 D<sub>K</sub>&middot;D<sub>K</sub>&middot;M&middot;N&middot;D<sub>F</sub>&middot;D<sub>F</sub>
 mult-adds</li>
<li>Depthwise separable:
 D<sub>K</sub>&middot;D<sub>K</sub>&middot;M&middot;D<sub>F</sub>&middot;D<sub>F</sub>
 + M&middot;N&middot;D<sub>F</sub>&middot;D<sub>F</sub> mult-adds</li>
<li>Ratio separable / standard = 1/N + 1/D<sub>K</sub><sup>2</sup> (paper section 3.1):
 8 to 9 times fewer with 3x3 kernels</li>
<li>Width multiplier alpha: channels = int(filters &times; alpha), cost ~ alpha<sup>2</sup></li>
<li>Input resolution (the paper's resolution multiplier rho = resolution / 224):
 mult-adds ~ rho<sup>2</sup>, params unchanged</li>
<li>Mult-adds (MACs): one multiply plus one add; FLOPs = 2 &times; MACs. Batch norm, ReLU6,
 padding and pooling count 0 mult-adds.</li>
</ul>
<p>The architecture follows <code>keras.applications.MobileNet</code> layer for layer.
Published accuracies: TF-slim <code>mobilenet_v1.md</code> and the Keras documentation.</p>
"""


class AboutDialog(QDialog):
    """Non-blocking About box (opened with ``open()``, so tests and scripts never hang)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About MobileNet Explorer")
        text = QLabel(ABOUT_HTML, self)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        text.setMinimumWidth(520)
        self.text = text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
