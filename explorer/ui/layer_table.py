"""Layer table: every Keras layer of the current variant with shapes, params and mult-adds.

``LayerTableModel`` (source, one row per layer plus a totals row) -> ``LayerFilterProxy``
(filter by kind and name, numeric sorting, totals row pinned to the bottom) -> ``QTableView``.
On a slider step the row count stays the same, so the model emits ``dataChanged`` only for
the runs of columns that changed, in blocks of at most ``VIEW_UPDATE_CELL_LIMIT`` cells,
instead of a reset: the view keeps its scroll position and selection.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetrics,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.export import human_count, percent_text, shape_text
from explorer.arch.layers import LAYER_KINDS, LayerRow, layer_rows, model_totals
from explorer.arch.spec import MobileNetSpec
from explorer.ui.stable_label import ElidingStableLabel
from explorer.ui.table_tools import (
    ALIGN_RIGHT,
    READ_ONLY_FLAGS,
    TOTAL_BRUSH,
    TOTAL_FONT,
    add_copy_action,
    bold_font,
    column_runs,
    copy_rows,
    selection_tsv,
    set_header_texts,
    set_table_look,
    update_blocks,
)
from explorer.ui.theme import set_role
from explorer.ui.variant_state import VariantState
from explorer.ui.while_hidden import WhileHidden

AnyIndex = QModelIndex | QPersistentModelIndex

#: Row tints per layer kind (light, so black text stays readable); MAC-carrying kinds stronger.
KIND_COLORS: dict[str, str] = {
    "input": "#eceff1",
    "conv": "#fde2c8",
    "depthwise": "#d4ecfb",
    "pointwise": "#d8f0d2",
    "batchnorm": "#f6f6f6",
    "relu": "#fbfbfb",
    # Neutral like batch norm: only the MAC-carrying kinds have colours (and legend chips);
    # a lavender pad row read as "classifier".
    "pad": "#f0f1f3",
    "pool": "#f0f1f3",
    "dropout": "#f6f6f6",
    "classifier": "#f1d9f5",
    "reshape": "#f5f5f5",
    "softmax": "#f5f5f5",
}
#: Saturated versions for the legend swatches and charts.
KIND_ACCENTS: dict[str, str] = {
    "conv": "#e07b24",
    "depthwise": "#2b8cd6",
    "pointwise": "#3a9e3a",
    "classifier": "#9b4fb5",
}

COLUMNS = ("#", "Layer", "Kind", "Block", "Kernel/stride", "Input", "Output", "Params",
           "Mult-adds (MACs)", "% MACs", "% params", "Activations")
#: Header texts: long titles on two lines so eleven numeric columns fit a 1400 px window.
HEADER_TEXTS = ("#", "Layer", "Kind", "Block", "Kernel/\nstride", "Input", "Output", "Params",
                "Mult-adds\n(MACs)", "% of\nMACs", "% of\nparams", "Activations")
COL_INDEX, COL_NAME, COL_KIND, COL_BLOCK, COL_KERNEL, COL_INPUT, COL_OUTPUT, COL_PARAMS, \
    COL_MACS, COL_MACS_SHARE, COL_PARAMS_SHARE, COL_ACTIVATIONS = range(len(COLUMNS))
_NUMERIC = {COL_INDEX, COL_BLOCK, COL_PARAMS, COL_MACS, COL_MACS_SHARE, COL_PARAMS_SHARE,
            COL_ACTIVATIONS}
#: Role carrying the raw (unformatted) value used for sorting and for tests.
RAW_ROLE = Qt.ItemDataRole.UserRole
#: Role telling the proxy "this is the totals row" (always shown, always last).
TOTAL_ROLE = Qt.ItemDataRole.UserRole + 1

_COLUMN_COUNT = len(COLUMNS)
_HEADER_TIPS = {
    COL_MACS: "Mult-adds: 1 multiply + 1 add (FLOPs = 2 x MACs)",
    COL_PARAMS: "All weights incl. biases and batch norm (as Keras counts them)",
    COL_ACTIVATIONS: "Output elements per image (float32: 4 bytes each)",
    COL_KERNEL: "Kernel size / stride",
}
_ALIGN_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
_KIND_BRUSHES = {kind: QBrush(QColor(color)) for kind, color in KIND_COLORS.items()}


class LayerTableModel(QStandardItemModel):
    """One row per ``LayerRow`` of the current spec, then a "Total" row.

    A QStandardItemModel on purpose: the view then reads every cell in C++ while it paints.
    With a Python ``data()`` the ~400 visible cells cost ~7 ms of callbacks per repaint, most
    of a slider step's 16 ms frame; updating the items instead costs ~1.5 ms per step.
    """

    def __init__(self, state: VariantState | None = None, parent: Any = None,
                 spec: MobileNetSpec | None = None) -> None:
        """Follows ``state`` when given; else shows ``spec`` (default 1.0-224) until
        ``set_spec`` (the panel drives its model itself, see LayerTablePanel)."""
        super().__init__(0, _COLUMN_COUNT, parent)
        set_header_texts(self, HEADER_TEXTS, _HEADER_TIPS)
        self._spec = state.spec if state is not None else (spec or MobileNetSpec())
        self._rows: tuple[LayerRow, ...] = ()
        #: Source rows the totals row sums (None: the whole model); see set_total_scope.
        self._scope: tuple[int, ...] | None = None
        self._items: list[list[QStandardItem]] = []
        self._texts: list[list[str]] = []
        self.set_spec(self._spec)
        if state is not None:
            state.spec_changed.connect(self.set_spec)

    @property
    def spec(self) -> MobileNetSpec:
        return self._spec

    @Slot(object)
    def set_spec(self, spec: MobileNetSpec) -> None:
        """Show ``spec``: update the cells in place, or rebuild when the layers differ."""
        rows = layer_rows(spec)
        names_same = len(rows) == len(self._rows) and all(
            a.name == b.name for a, b in zip(rows, self._rows))
        self._spec = spec
        self._rows = rows
        self._totals = model_totals(spec)
        #: False when the last update only changed values (same layers): see LayerTablePanel.
        self.rebuilt = not names_same
        if not names_same:
            self._scope = None  # other layers: the panel sets the scope again
        if names_same:
            self._update_items()
        else:
            self._rebuild_items()

    def _cell(self, row: int, column: int) -> tuple[str, Any]:
        """(display text, sort value) of one cell: the one formatting path of the table."""
        value = self.raw_value(row, column)
        if value is None:
            return "", -1
        fmt, sort = _CELL_FORMATS[column]
        return fmt(value), sort(value)

    def _rebuild_items(self) -> None:
        self.setRowCount(0)
        self._items = []
        self._texts = []
        self._sorts: list[list[Any]] = []
        total_row = len(self._rows)
        for row in range(total_row + 1):
            brush = _KIND_BRUSHES.get(self._rows[row].kind) if row < total_row else TOTAL_BRUSH
            cells = [self._cell(row, column) for column in range(_COLUMN_COUNT)]
            items = []
            for column, (text, sort_value) in enumerate(cells):
                item = QStandardItem()
                item.setFlags(READ_ONLY_FLAGS)
                item.setData(ALIGN_RIGHT if column in _NUMERIC else _ALIGN_LEFT,
                             Qt.ItemDataRole.TextAlignmentRole)
                item.setData(row == total_row, TOTAL_ROLE)
                if brush is not None:
                    item.setBackground(brush)
                if row == total_row:
                    item.setFont(TOTAL_FONT)
                item.setText(text)
                item.setData(sort_value, RAW_ROLE)
                items.append(item)
            self.appendRow(items)
            self._items.append(items)
            self._texts.append([text for text, _ in cells])
            self._sorts.append([sort_value for _, sort_value in cells])

    def _update_items(self) -> None:
        # Only value columns can change (same layers).  Signals are blocked while the items
        # change, then one dataChanged per run of adjacent changed columns: the view repaints
        # just those columns (a resolution step leaves params and the five layout columns
        # alone), and the proxy and view do their bookkeeping a few times, not once per cell.
        changed: set[int] = set()
        self.blockSignals(True)
        try:
            layers = len(self._rows)
            for row, items in enumerate(self._items):
                texts = self._texts[row]
                sorts = self._sorts[row]
                cells = (_layer_value_cells(self._rows[row], self._totals) if row < layers
                         else [self._cell(row, column) for column in _VALUE_COLUMN_ORDER])
                for column, (text, sort_value) in zip(_VALUE_COLUMN_ORDER, cells):
                    if sort_value != sorts[column]:  # a share can change below 0.01 %
                        items[column].setData(sort_value, RAW_ROLE)
                        sorts[column] = sort_value
                        changed.add(column)
                    if text != texts[column]:
                        items[column].setText(text)
                        texts[column] = text
                        changed.add(column)
        finally:
            self.blockSignals(False)
        for top, left, bottom, right in update_blocks(column_runs(changed), self.rowCount()):
            self.dataChanged.emit(self.index(top, left), self.index(bottom, right), [])

    def set_total_scope(self, rows: list[int] | None) -> None:
        """Make the totals row sum ``rows`` (the filtered view's layers), or all (None).

        With a filter on, a totals row of the whole model beside a handful of rows reads as
        their sum; it becomes "Shown total" with their sums and their share of the model.
        """
        scope = None if rows is None else tuple(rows)
        if scope == self._scope:
            return
        self._scope = scope
        total = len(self._rows)
        if not self._items or len(self._items) != total + 1:
            return
        items = self._items[total]
        for column in (COL_NAME, *_VALUE_COLUMN_ORDER):
            text, sort_value = self._cell(total, column)
            items[column].setText(text)
            items[column].setData(sort_value, RAW_ROLE)
            self._texts[total][column] = text
            self._sorts[total][column] = sort_value

    def raw_value(self, row: int, column: int) -> Any:
        """Unformatted value of a cell: ints for counts, floats (0..1) for shares."""
        t = self._totals
        if row == len(self._rows):
            if self._scope is None:
                return {
                    COL_NAME: "Total", COL_PARAMS: t.params, COL_MACS: t.macs,
                    COL_MACS_SHARE: 1.0 if t.macs else 0.0, COL_PARAMS_SHARE: 1.0,
                    COL_ACTIVATIONS: t.activations_total,
                }.get(column)
            shown = [self._rows[r] for r in self._scope if r < len(self._rows)]
            params = sum(r.params for r in shown)
            macs = sum(r.macs for r in shown)
            return {
                COL_NAME: "Shown total", COL_PARAMS: params, COL_MACS: macs,
                COL_MACS_SHARE: macs / t.macs if t.macs else 0.0,
                COL_PARAMS_SHARE: params / t.params if t.params else 0.0,
                COL_ACTIVATIONS: sum(r.activations for r in shown),
            }.get(column)
        return _ROW_VALUES[column](self._rows[row], t)

    def display_text(self, row: int, column: int) -> str:
        return self._cell(row, column)[0]

    def longest_texts(self, column: int) -> tuple[str, str]:
        """The longest layer text of ``column`` (by characters) and the totals row's text."""
        texts = self._texts
        return max((row[column] for row in texts[:-1]), key=len, default=""), texts[-1][column]


def _element_count(shape: tuple[int, ...]) -> int:
    """Shapes sort by element count."""
    n = 1
    for d in shape:
        n *= d
    return n


def _same(value: Any) -> Any:
    return value


#: Column -> (text formatter, sort key) of a non-empty cell (empty cells: "" and -1).
_CELL_FORMATS: dict[int, tuple[Any, Any]] = {
    COL_INDEX: (str, _same),
    COL_NAME: (str, _same),
    COL_KIND: (str, _same),
    COL_BLOCK: (str, _same),
    COL_KERNEL: (str, _same),
    COL_INPUT: (shape_text, _element_count),
    COL_OUTPUT: (shape_text, _element_count),
    COL_PARAMS: ("{:,}".format, _same),
    COL_MACS: ("{:,}".format, _same),
    COL_MACS_SHARE: (percent_text, _same),
    COL_PARAMS_SHARE: (percent_text, _same),
    COL_ACTIVATIONS: ("{:,}".format, _same),
}


#: Count columns whose cells show a tooltip: the full value when a narrow column elides it.
_COUNT_TIPS = {COL_PARAMS: "params", COL_MACS: "mult-adds", COL_ACTIVATIONS: "output values"}


def count_tooltip(column: int, value: Any) -> str:
    """Tooltip of a count cell, e.g. "4,253,864 params (4.25 M)"; "" for other cells.

    Made when asked for (``LayerTablePanel.eventFilter``), not stored per cell: storing ~270
    of them cost ~3 ms of every slider step.
    """
    unit = _COUNT_TIPS.get(column)
    if unit is None or not isinstance(value, int) or value < 0:
        return ""
    return f"{value:,} {unit} ({human_count(value)})"


#: Column -> value of a layer row (one lookup instead of a chain of ifs: this runs ~600
#: times per slider step).
_ROW_VALUES: dict[int, Any] = {
    COL_INDEX: lambda r, t: r.index,
    COL_NAME: lambda r, t: r.name,
    COL_KIND: lambda r, t: r.kind,
    COL_BLOCK: lambda r, t: r.block,
    COL_KERNEL: lambda r, t: r.kernel_stride_text,
    COL_INPUT: lambda r, t: r.input_shape,
    COL_OUTPUT: lambda r, t: r.output_shape,
    COL_PARAMS: lambda r, t: r.params,
    COL_MACS: lambda r, t: r.macs,
    COL_MACS_SHARE: lambda r, t: r.macs / t.macs if t.macs else 0.0,
    COL_PARAMS_SHARE: lambda r, t: r.params / t.params if t.params else 0.0,
    COL_ACTIVATIONS: lambda r, t: r.activations,
}


def _layer_value_cells(r: LayerRow, t: Any) -> list[tuple[str, Any]]:
    """(text, sort value) of a layer row's value columns, in ``_VALUE_COLUMN_ORDER``.

    The same results as ``_cell`` column by column (a test compares them), written out for
    the slider-step path: ~640 cells a step through the generic lookup cost ~0.5 ms more.
    """
    macs_share = r.macs / t.macs if t.macs else 0.0
    params_share = r.params / t.params if t.params else 0.0
    return [
        (shape_text(r.input_shape), _element_count(r.input_shape)),
        (shape_text(r.output_shape), _element_count(r.output_shape)),
        (f"{r.params:,}", r.params),
        (f"{r.macs:,}", r.macs),
        (percent_text(macs_share), macs_share),
        (percent_text(params_share), params_share),
        (f"{r.activations:,}", r.activations),
    ]


#: Columns whose values change with alpha or resolution; sorting by one of them must be
#: redone after a slider step (the proxy does not re-sort by itself, see LayerFilterProxy).
VALUE_COLUMNS = frozenset({COL_INPUT, COL_OUTPUT, COL_PARAMS, COL_MACS, COL_MACS_SHARE,
                           COL_PARAMS_SHARE, COL_ACTIVATIONS})
_VALUE_COLUMN_ORDER = tuple(sorted(VALUE_COLUMNS))
#: The Layer column shrinks no further in a narrow window ("conv_pw_1..." stays readable).
NAME_COLUMN_MIN = 90
#: Spare width (px) up to which the last column stretches to fill the view.
LAST_COLUMN_STRETCH_MAX = 200
#: A widened value column narrows back this long after the last variant change: at once, a
#: spin box held down beyond the sliders' range would make the columns jump step by step.
NARROW_DELAY_MS = 400
assert _VALUE_COLUMN_ORDER == (COL_INPUT, COL_OUTPUT, COL_PARAMS, COL_MACS, COL_MACS_SHARE,
                               COL_PARAMS_SHARE, COL_ACTIVATIONS)  # _layer_value_cells' order


class LayerFilterProxy(QSortFilterProxyModel):
    """Filters by kind and name; sorts numerically; keeps the totals row last.

    ``dynamicSortFilter`` is off: a slider step changes every cell, and re-sorting and
    re-filtering all rows through the Python ``lessThan``/``filterAcceptsRow`` on each step
    would cost milliseconds for nothing when the sort column is structural (#, name, kind).
    ``LayerTablePanel`` re-sorts explicitly when the sort column holds values.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._kind: str | None = None
        self.setDynamicSortFilter(False)
        self.setSortRole(RAW_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(COL_NAME)

    def set_kind(self, kind: str | None) -> None:
        """Show only layers of ``kind`` (None: all kinds)."""
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9; invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self._kind = kind or None
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._kind = kind or None
            self.invalidateRowsFilter()
        self._resort()

    def set_name_filter(self, text: str) -> None:
        """Case-insensitive substring match on the layer name."""
        self.setFilterRegularExpression(
            QRegularExpression(QRegularExpression.escape(text),
                               QRegularExpression.PatternOption.CaseInsensitiveOption))
        self._resort()

    def _resort(self) -> None:
        # Without dynamic sorting, rows a wider filter lets back in are appended unsorted:
        # after clearing "conv_pw" under a MACs sort, conv1 (10.8 M) sat above conv_pw_3.
        if self.sortColumn() >= 0:
            self.sort(self.sortColumn(), self.sortOrder())

    def refresh_after_update(self) -> None:
        """Re-sort after new values arrived, when the order can depend on them."""
        column = self.sortColumn()
        if column in VALUE_COLUMNS:
            self.sort(column, self.sortOrder())

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        index = model.index(source_row, COL_KIND, source_parent)
        if model.data(index, TOTAL_ROLE):
            return True
        if self._kind is not None and model.data(index, Qt.ItemDataRole.DisplayRole) != self._kind:
            return False
        return super().filterAcceptsRow(source_row, source_parent)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        left_total = bool(model.data(left, TOTAL_ROLE))
        right_total = bool(model.data(right, TOTAL_ROLE))
        if left_total or right_total:
            # Qt reverses lessThan for descending order; answer so the total ends up last.
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return right_total if ascending else left_total
        a, b = model.data(left, RAW_ROLE), model.data(right, RAW_ROLE)
        if a == b:
            # Ties (same kind, same block, 0 MACs...) keep Keras' layer order in both sort
            # directions, instead of whatever order the previous sort left.
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return (left.row() < right.row()) == ascending
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class LayerTablePanel(QWidget):
    """Filter bar, the table view (``layerTable``) and a footer summing the shown rows."""

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerPanel")
        # The panel, not the model, follows the sliders: behind another tab the table is
        # filled when shown (see while_hidden), ~1.7 ms a step saved for the view in front.
        self.model = LayerTableModel(None, self, spec=state.spec)
        self.proxy = LayerFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kindFilter")
        self.kind_combo.addItem("All kinds", None)
        for kind in LAYER_KINDS:
            self.kind_combo.addItem(kind, kind)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("nameFilter")
        self.name_edit.setPlaceholderText("Filter by layer name, e.g. conv_pw or _12")
        self.name_edit.setClearButtonEnabled(True)

        self.view = QTableView(self)
        self.view.setObjectName("layerTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_INDEX, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(False)  # rows are tinted by kind instead
        # The smaller font lets twelve columns fit a 1400 px window unscrolled.
        set_table_look(self.view)
        # The last column fills a little spare room (see _fit_name_column).
        self.view.horizontalHeader().setStretchLastSection(True)
        self._size_columns()

        self.copy_action = add_copy_action(self.view, self.copy_selection)
        self.view.viewport().installEventFilter(self)

        # Shown over the empty table when the filter matches no layer.
        self.empty_note = QLabel(self.view.viewport())
        self.empty_note.setObjectName("layerEmptyNote")
        # It quotes the typed filter: as rich text, "<b>bold</b>" showed in bold.
        self.empty_note.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setWordWrap(True)
        set_role(self.empty_note, "caption")
        self.empty_note.hide()

        self.footer = ElidingStableLabel("Showing 91 of 91 layers: 4,253,864 params", self)
        self.footer.setObjectName("layerFooter")
        set_role(self.footer, "caption")
        # One line with constant size hints (see StableLabel): no relayout per slider step.

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Kind:", self))
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.name_edit, 1)
        legend = QLabel(self._legend_html(), self)
        legend.setTextFormat(Qt.TextFormat.RichText)
        bar.addWidget(legend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.footer)

        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.name_edit.textChanged.connect(self.proxy.set_name_filter)
        self.proxy.rowsInserted.connect(self._update_footer)
        self.proxy.rowsRemoved.connect(self._update_footer)
        self.proxy.modelReset.connect(self._update_footer)
        self.proxy.layoutChanged.connect(self._update_footer)
        self.while_hidden = WhileHidden(self, self._follow_spec)
        state.spec_changed.connect(self.while_hidden.request)
        self._update_footer()

    @staticmethod
    def _legend_html() -> str:
        parts = [f'<span style="background:{KIND_COLORS[k]}; color:#222;">&nbsp;{k}&nbsp;</span>'
                 for k in ("conv", "depthwise", "pointwise", "classifier")]
        return " ".join(parts)

    def _size_columns(self) -> None:
        # Size once, for the widest numbers the sliders can produce, instead of resizing to
        # contents on every step (that costs milliseconds and makes columns jump).  Headers
        # are bold in the style sheet and carry the sort arrow, hence their own metrics.
        widest = LayerTableModel(spec=MobileNetSpec(1.5, 512))
        metrics = self._metrics = self.view.fontMetrics()
        bold = bold_font(self.view.font())
        bold_metrics = self._bold_metrics = QFontMetrics(bold)  # headers and totals are bold
        header = self.view.horizontalHeader()
        last = widest.rowCount() - 1
        for col, title in enumerate(HEADER_TEXTS):
            texts = [widest.display_text(r, col) for r in range(last)]
            cells = max(max(metrics.horizontalAdvance(t) for t in texts),
                        bold_metrics.horizontalAdvance(widest.display_text(last, col))) + 12
            head = max(bold_metrics.horizontalAdvance(t) for t in title.split("\n")) + 22
            header.resizeSection(col, min(max(cells, head), 150))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        #: Widths the columns want; the Layer column gives way when the view is narrower.
        self._wanted = [header.sectionSize(c) for c in range(len(HEADER_TEXTS))]
        #: What a widened value column narrows back to: the sliders' fit above, or the width
        #: the user dragged it to.
        self._floor = list(self._wanted)
        self._fitting = False
        header.sectionResized.connect(self._on_section_resized)
        self._narrow_timer = QTimer(self)
        self._narrow_timer.setSingleShot(True)
        self._narrow_timer.setInterval(NARROW_DELAY_MS)
        self._narrow_timer.timeout.connect(self._narrow_value_columns)

    def _fit_name_column(self) -> None:
        """Let the Layer column (names elide with "...") give the numbers their room.

        At 1366 px the table was ~20 px wider than its view, and the right-aligned last
        column lost its low digits: "150,52" for 150,528, a plausible wrong number.
        """
        header = self.view.horizontalHeader()
        others = sum(w for c, w in enumerate(self._wanted) if c != COL_NAME)
        room = self.view.viewport().width() - others
        width = max(NAME_COLUMN_MIN, min(self._wanted[COL_NAME], room))
        if header.sectionSize(COL_NAME) != width:
            self._fitting = True
            try:
                header.resizeSection(COL_NAME, width)
            finally:
                self._fitting = False
        # The last column takes up a little spare room, not a lot: at 2560 px it grew to
        # ~1500 px, its right-aligned numbers far from their rows.  Past that the room
        # beyond the columns stays empty.
        stretch = room - width < LAST_COLUMN_STRETCH_MAX
        if header.stretchLastSection() != stretch:
            self._fitting = True
            try:
                header.setStretchLastSection(stretch)
                if not stretch:
                    last = _COLUMN_COUNT - 1
                    header.resizeSection(last, self._wanted[last])
            finally:
                self._fitting = False

    @Slot(int, int, int)
    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        # A column the user dragged keeps its width (the fit above only narrows the Layer
        # column when the view needs it, back to what the user chose; a value column narrows
        # back no further than it).  The last column is left out: the header stretches it
        # to the view's width, which is no choice of the user's.
        if self._fitting or column == _COLUMN_COUNT - 1:
            return
        self._wanted[column] = new
        if column in VALUE_COLUMNS:
            self._floor[column] = new

    def _resize_section(self, column: int, width: int) -> None:
        self._fitting = True
        try:
            self.view.horizontalHeader().resizeSection(column, width)
        finally:
            self._fitting = False

    def _value_column_width(self, column: int) -> int:
        """The width ``column`` should have now: room for its longest texts, at least its floor.

        One longest string per column is measured, not every cell: about 0.1 ms for all seven.
        """
        text, total = self.model.longest_texts(column)
        need = max(self._metrics.horizontalAdvance(text),
                   self._bold_metrics.horizontalAdvance(total)) + 12
        return max(need, self._floor[column])

    def _widen_value_columns(self) -> None:
        """Widen a value column whose texts no longer fit at once; narrow one after a rest.

        ``_size_columns`` fits the sliders' range, but the spin boxes go to alpha 4.0 and
        4096 px ("2048x2048x128", "137,438,953,472"), which it would elide.  Narrowing waits
        for ``NARROW_DELAY_MS`` without a change, so held spin box arrows do not make the
        columns jump; without it, a window that once showed 4.0-4096 kept those widths, and
        at 1366 px the right-aligned Activations showed "15" for 150,528.
        """
        widths = [self._value_column_width(col) for col in _VALUE_COLUMN_ORDER]
        self._resize_value_columns(widths, wider=True)
        if any(width < self._wanted[col] for col, width in zip(_VALUE_COLUMN_ORDER, widths)):
            self._narrow_timer.start()  # restarts: the wait counts from the last change

    @Slot()
    def _narrow_value_columns(self) -> None:
        """Give widened value columns back what their texts no longer need."""
        self._resize_value_columns(
            [self._value_column_width(col) for col in _VALUE_COLUMN_ORDER], wider=False)

    def _resize_value_columns(self, widths: list[int], wider: bool) -> None:
        """Move the value columns whose ``widths`` (in ``_VALUE_COLUMN_ORDER``) lie beyond
        their wanted width in one direction: ``wider`` ones only, or narrower ones only."""
        moved = False
        for col, width in zip(_VALUE_COLUMN_ORDER, widths):
            if width > self._wanted[col] if wider else width < self._wanted[col]:
                self._wanted[col] = width
                self._resize_section(col, width)
                moved = True
        if moved:
            self._fit_name_column()  # the Layer column gives way, or takes its room back
            # Now, not in Qt's posted layout: without it the horizontal scroll bar sometimes
            # stayed hidden (its range set, its show-or-hide never rerun) while the widened
            # columns overflowed the view, cutting the last column's digits.
            self.view.updateGeometries()

    @Slot(object)
    def _follow_spec(self, spec: MobileNetSpec) -> None:
        self.model.set_spec(spec)
        self._after_spec_change(spec)

    def _after_spec_change(self, _spec: MobileNetSpec) -> None:
        # Runs after the model took the new variant, so the values are new here.
        if self.model.rebuilt:
            self.proxy.invalidate()  # the layers themselves changed (top or body)
        else:
            self.proxy.refresh_after_update()
        self._widen_value_columns()
        self._update_footer()

    @Slot(int)
    def _on_kind(self, index: int) -> None:
        self.proxy.set_kind(self.kind_combo.itemData(index))

    def shown_source_rows(self) -> list[int]:
        """Source rows of the layers the filter shows (totals row excluded)."""
        rows = []
        for r in range(self.proxy.rowCount()):
            src = self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            if src < self.model.rowCount() - 1:
                rows.append(src)
        return rows

    def _filter_text(self) -> str:
        parts = []
        if self.kind_combo.currentData():
            parts.append(f"kind {self.kind_combo.currentData()}")
        if self.name_edit.text():
            parts.append(f"name containing '{self.name_edit.text()}'")
        return " and ".join(parts)

    def _place_empty_note(self) -> None:
        viewport = self.view.viewport()
        self.empty_note.setGeometry(0, 30, viewport.width(), 60)

    @Slot()
    def _update_footer(self, *_args: object) -> None:
        total = self.model.rowCount() - 1  # the totals row, also the number of layers
        # Mapping rows through the proxy only when a filter hides some (every slider step
        # comes here); the totals row then sums what is shown, and the footer reads it.
        filtered = self.proxy.rowCount() != self.model.rowCount()
        shown = self.shown_source_rows() if filtered else None
        self.model.set_total_scope(shown)
        count = total if shown is None else len(shown)
        empty = count == 0
        if empty:
            self.empty_note.setText(f"No layer has {self._filter_text()}."
                                    " Clear the filter to see all layers.")
            self._place_empty_note()
        self.empty_note.setVisible(empty)
        params = self.model.raw_value(total, COL_PARAMS)
        macs = self.model.raw_value(total, COL_MACS)
        share = self.model.raw_value(total, COL_MACS_SHARE)  # of the whole model
        self.footer.setText(
            f"Showing {count} of {total} layers: {params:,} params, {macs:,} mult-adds"
            f" (MACs) = {percent_text(share)} % of the model")  # as in the totals row

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.empty_note.isVisible():
            self._place_empty_note()

    def cell_tooltip(self, proxy_row: int, column: int) -> str:
        """What hovering a cell of the view shows (the exact count with its unit)."""
        index = self.proxy.index(proxy_row, column)
        return count_tooltip(column, index.data(RAW_ROLE)) if index.isValid() else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self._fit_name_column()
        if event.type() == QEvent.Type.ToolTip and watched is self.view.viewport():
            pos = event.pos()  # type: ignore[attr-defined]  # a QHelpEvent
            index = self.view.indexAt(pos)
            text = self.cell_tooltip(index.row(), index.column()) if index.isValid() else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self.view)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def selection_tsv(self) -> str:
        """Selected cells as tab-separated text with a header line (as shown, sorted)."""
        return selection_tsv(self.view, COLUMNS)

    @Slot()
    def copy_selection(self) -> None:
        copy_rows(self, self.selection_tsv())
