"""Tools › Moderation…: two markers' agreement in plain words (the figures of
``essay-marker stats``, from :mod:`rubric.moderation.service`), a scatter plot of their
totals (QtCharts: marker A on x, marker B on y, the line of equality and the tolerance
band), the markers overview, the largest differences, and Adjust… (the proposed line and
each script's before/after, applied as ONE undoable step through the session)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rubric.errors import EssayMarkerError
from rubric.moderation import service
from rubric.moderation.text import alpha_words, figure_rows, number, signed

ROLE_WORDS = {"teacher": "teacher", "second": "second marker", "moderator": "moderator"}


def _table(headings, rows, name: str) -> QTableWidget:
    table = QTableWidget(len(rows), len(headings))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headings))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, headings, rows) -> None:
    fresh = _table(headings, rows, table.objectName())
    table.clear()
    table.setColumnCount(fresh.columnCount())
    table.setRowCount(fresh.rowCount())
    table.setHorizontalHeaderLabels(list(headings))
    for r in range(fresh.rowCount()):
        for c in range(fresh.columnCount()):
            table.setItem(r, c, fresh.takeItem(r, c))
    fresh.deleteLater()


class ModerationDialog(QDialog):
    """Agreement of two markers of the session's set."""

    def __init__(self, parent: QWidget | None, session):
        super().__init__(parent)
        self.setObjectName("moderation_dialog")
        self.setWindowTitle("Moderation")
        self.resize(980, 680)
        self.session = session
        self.comparison: service.Comparison | None = None
        self.table_data: service.MarksTable | None = None
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.a_combo = QComboBox()
        self.a_combo.setObjectName("marker_a")
        self.b_combo = QComboBox()
        self.b_combo.setObjectName("marker_b")
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setObjectName("tolerance")
        self.tolerance.setDecimals(1)
        self.tolerance.setRange(0, 1000)
        self.tolerance.setSuffix(" marks")
        form = QFormLayout()
        form.addRow("Marker &A (x):", self.a_combo)
        form.addRow("Marker &B (y):", self.b_combo)
        form.addRow("&Tolerance on the total:", self.tolerance)
        top.addLayout(form)
        top.addStretch(1)
        layout.addLayout(top)

        self.words = QLabel()
        self.words.setObjectName("moderation_words")
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.words)

        self.tabs = QTabWidget()
        self.figures = _table(["Figure", "Total"], [], "agreement_table")
        self.tabs.addTab(self.figures, "&Agreement")
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("scatter_view")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.tabs.addTab(self.chart_view, "&Scatter plot")
        self.overview = _table(["Marker", "Scripts", "Mean difference", "Verdict", "Spread",
                                "Outside tolerance"], [], "overview_table")
        self.tabs.addTab(self.overview, "Markers &overview")
        self.largest = _table(["Script", "A", "B", "Difference", ""], [], "largest_table")
        self.tabs.addTab(self.largest, "&Largest differences")
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.adjust_button = QPushButton("A&djust…")
        self.adjust_button.setObjectName("adjust_button")
        self.adjust_button.setToolTip("Propose a line from marker A's marks to marker B's "
                                      "and apply it to all of A's scripts (undoable)")
        buttons.addButton(self.adjust_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.adjust_button.clicked.connect(lambda _c=False: self.open_adjust())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.adjust_dialog: AdjustDialog | None = None

        self._load_markers()
        self.a_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.b_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.tolerance.valueChanged.connect(lambda _v: self.refresh())
        session.changed.connect(self._changed)
        self.refresh()

    # -- markers ---------------------------------------------------------------------------

    def _load_markers(self) -> None:
        ms = self.session.marking_set
        self.table_data = service.MarksTable.from_set(ms)
        markers = self.table_data.markers_with_marks()
        for combo in (self.a_combo, self.b_combo):
            combo.blockSignals(True)
            combo.clear()
            for marker in markers:
                combo.addItem(f"{marker.name} ({ROLE_WORDS.get(str(marker.role), marker.role)})",
                              int(marker.id))
            combo.blockSignals(False)
        reference = service.reference_marker(markers)
        teacher = next((m for m in markers if reference is None or m.id != reference.id), None)
        if teacher is not None:
            self.a_combo.setCurrentIndex(self.a_combo.findData(int(teacher.id)))
        other = reference or next((m for m in markers if teacher is None
                                   or m.id != teacher.id), None)
        if other is not None:
            self.b_combo.setCurrentIndex(self.b_combo.findData(int(other.id)))
        total, _ = service.tolerances(ms.scheme)
        self.tolerance.blockSignals(True)
        self.tolerance.setMaximum(ms.scheme.total)
        self.tolerance.setValue(total)
        self.tolerance.blockSignals(False)

    def select(self, a_id: int, b_id: int) -> None:
        self.a_combo.setCurrentIndex(self.a_combo.findData(int(a_id)))
        self.b_combo.setCurrentIndex(self.b_combo.findData(int(b_id)))
        self.refresh()

    def markers(self):
        table = self.table_data
        a, b = self.a_combo.currentData(), self.b_combo.currentData()
        if table is None or a is None or b is None:
            return None, None
        return table.marker(a), table.marker(b)

    def _changed(self, changes) -> None:
        if changes.marks or changes.markers or changes.scheme:
            a, b = self.a_combo.currentData(), self.b_combo.currentData()
            self._load_markers()
            if a is not None and b is not None:
                self.a_combo.setCurrentIndex(max(0, self.a_combo.findData(a)))
                self.b_combo.setCurrentIndex(max(0, self.b_combo.findData(b)))
            self.refresh()

    # -- the figures -----------------------------------------------------------------------

    def refresh(self) -> None:
        ms = self.session.marking_set
        self.comparison = None
        if ms is None:
            return
        if ms.is_blind():
            self._say("You are marking blind: other markers' marks stay hidden until you "
                      "reveal them (Reveal… on the banner above the script).")
            return
        a, b = self.markers()
        if a is None or b is None:
            self._say("Moderation compares two markers: no two markers have marks in this set "
                      "yet (File ▸ Merge… brings in other markers' copies).")
            return
        if a.id == b.id:
            self._say("Choose two different markers.")
            return
        try:
            self.comparison = service.compare(self.table_data, [a, b], self.tolerance.value())
        except EssayMarkerError as exc:
            self._say(str(exc)[:1].upper() + str(exc)[1:] + ".")
            return
        self.adjust_button.setEnabled(True)
        self._show(self.comparison)

    def _say(self, text: str) -> None:
        self.words.setText(text)
        self.adjust_button.setEnabled(False)
        _fill(self.figures, ["Figure", "Total"], [])
        _fill(self.overview, ["Marker"], [])
        _fill(self.largest, ["Script"], [])
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)

    def _show(self, comparison: service.Comparison) -> None:
        main = comparison.main
        a, b = main.a, main.b
        scheme = comparison.scheme
        multi = len(scheme.criteria) > 1
        headings, rows = figure_rows(main, multi)
        _fill(self.figures, ["Figure", *headings], [(label, *values) for label, values in rows])
        total = main.total
        said = [f"{total.compared} script{'s' if total.compared != 1 else ''} marked by both "
                f"{a.name} (A) and {b.name} (B)."]
        if total.compared:
            words = service.mean_difference_words(a.name, b.name, total.mean_difference)
            said.append(words[:1].upper() + words[1:] + f" (B − A: {signed(total.mean_difference)}); the "
                        f"totals differ by {number(total.mean_absolute_difference, 1)} marks on "
                        f"average.")
            if total.within_tolerance is not None:
                said.append(f"{total.within_tolerance:.0%} of the totals are within the "
                            f"tolerance of {comparison.tolerance:g} marks.")
            if total.exact_level is not None:
                said.append(f"They gave the same level {total.exact_level:.0%} of the time"
                            + (f", within one level {total.within_one_level:.0%}."
                               if total.within_one_level is not None else "."))
            said.append(f"Rank order agreement (Spearman) {number(total.spearman)}; weighted "
                        f"kappa {number(total.kappa_marks)} on marks, "
                        f"{number(total.kappa_levels)} on levels.")
        said.append("Krippendorff's alpha: " + alpha_words(comparison.alpha_total) + ".")
        self.words.setText(" ".join(said))

        by_id = {m.id: m for m in comparison.markers}
        _fill(self.overview, ["Marker", "Scripts", "Mean difference", "Verdict", "Spread",
                              "Outside tolerance"],
              [(by_id[r.marker].name, r.n, signed(r.mean_difference), r.verdict,
                number(r.sd_difference, 1), r.out_of_tolerance) for r in comparison.overview])
        _fill(self.largest, ["Script", f"A ({a.initials})", f"B ({b.initials})", "Difference",
                             ""],
              [(comparison.names.get(d.script, d.script), d.a, d.b, signed(d.difference, 0),
                "outside tolerance" if abs(d.difference) > comparison.tolerance
                else "within tolerance") for d in total.largest])
        self._plot(comparison)

    def _plot(self, comparison: service.Comparison) -> None:
        main = comparison.main
        table = self.table_data
        a_totals, b_totals = table.totals(main.a.id), table.totals(main.b.id)
        top = comparison.scheme.total
        tol = comparison.tolerance
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(f"Totals: {main.a.name} (x) against {main.b.name} (y)")
        upper, lower = QLineSeries(), QLineSeries()
        steps = 50
        for i in range(steps + 1):
            x = top * i / steps
            upper.append(x, min(top, x + tol))
            lower.append(x, max(0.0, x - tol))
        band = QAreaSeries(upper, lower)
        # QAreaSeries does not own its boundary lines: keep them alive with the chart
        self._band_lines = (upper, lower)
        band.setName(f"Within tolerance (±{tol:g})")
        band.setColor(QColor(76, 175, 80, 50))
        band.setBorderColor(QColor(76, 175, 80, 120))
        equal = QLineSeries()
        equal.setName("Same mark (y = x)")
        equal.append(QPointF(0, 0))
        equal.append(QPointF(top, top))
        pen = QPen(QColor("#555555"))
        pen.setStyle(Qt.PenStyle.DashLine)
        equal.setPen(pen)
        points = QScatterSeries()
        points.setName("Scripts marked by both")
        points.setMarkerSize(9)
        points.setColor(QColor("#1565c0"))
        for script in sorted(set(a_totals) & set(b_totals)):
            points.append(a_totals[script], b_totals[script])
        self.scatter_points = points
        for series in (band, equal, points):
            chart.addSeries(series)
        ax, ay = QValueAxis(), QValueAxis()
        ax.setRange(0, top)
        ay.setRange(0, top)
        ax.setTitleText(f"{main.a.name} (A)")
        ay.setTitleText(f"{main.b.name} (B)")
        if top % 5 == 0 and top <= 100:
            ax.setTickCount(6)
            ay.setTickCount(6)
        ax.setLabelFormat("%d")
        ay.setLabelFormat("%d")
        chart.addAxis(ax, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(ay, Qt.AlignmentFlag.AlignLeft)
        for series in (band, equal, points):
            series.attachAxis(ax)
            series.attachAxis(ay)

    # -- adjustment ------------------------------------------------------------------------

    def open_adjust(self):
        a, b = self.markers()
        if a is None or b is None or a.id == b.id:
            return None
        try:
            plan = service.propose(self.table_data, a, b, self.tolerance.value())
        except EssayMarkerError as exc:
            self.words.setText(f"No adjustment: {exc}.")
            return None
        self.adjust_dialog = AdjustDialog(self, self.session, plan)
        self.adjust_dialog.show()
        return self.adjust_dialog

    @classmethod
    def show_for(cls, window) -> ModerationDialog | None:
        if window.session.marking_set is None:
            return None
        dialog = getattr(window, "_moderation_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            return dialog
        dialog = cls(window, window.session)
        window._moderation_dialog = dialog
        dialog.show()
        return dialog


class AdjustDialog(QDialog):
    """The proposed line, each script's before/after, and Apply (one undoable step)."""

    def __init__(self, parent: QWidget | None, session, plan: service.AdjustmentPlan):
        super().__init__(parent)
        self.setObjectName("adjust_dialog")
        self.setWindowTitle(f"Adjust {plan.teacher.name}'s marks")
        self.resize(640, 560)
        self.session, self.plan = session, plan
        layout = QVBoxLayout(self)
        self.summary = QLabel(self._summary())
        self.summary.setObjectName("adjust_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        rows = [(s.candidate, s.before_total, s.after_total,
                 "" if s.moderator_total is None else s.moderator_total,
                 "changed" if s.changed else "") for s in plan.scripts]
        self.table = _table(["Script", "Before", "After", f"{plan.moderator.name}", ""], rows,
                            "adjust_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setObjectName("adjust_apply")
        self.apply_button.setText("&Apply adjustment")
        self.apply_button.setEnabled(plan.needed and bool(plan.changes()))
        self.apply_button.clicked.connect(lambda _c=False: self.apply())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _summary(self) -> str:
        plan = self.plan
        if not plan.needed:
            return (f"{plan.sampled} scripts in the sample (marked by both). Every sampled mark "
                    f"is within tolerance: {plan.teacher.name}'s marks stand; no adjustment "
                    "is proposed.")
        if len(plan.scheme.criteria) > 1:
            line = "; ".join(f"{name}: {service.describe_line(ln)}"
                             for name, ln in plan.lines.items())
        else:
            line = service.describe_line(plan.line)
        changed = len(plan.changes())
        order = "The rank order is kept." if plan.rank_order_kept else \
            "Warning: the per-criterion lines change the order of some totals."
        return (f"{len(plan.out_of_tolerance)} of {plan.sampled} sampled scripts are outside "
                f"the tolerance of {plan.tolerance:g} marks. Proposed line (least squares "
                f"over the sample): {line}; applied to all {len(plan.scripts)} of "
                f"{plan.teacher.name}'s scripts, rounded to whole marks and kept within the "
                f"scale. {changed} mark{'s' if changed != 1 else ''} change. {order} "
                "Applying is one step: Edit ▸ Undo puts the original marks back (a backup "
                "is also taken first, and the line is recorded in the audit log).")

    def apply(self) -> bool:
        done = self.session.apply_adjustment(self.plan)
        if done:
            self.accept()
        else:
            self.summary.setText(f"Not applied: {self.session.last_error}")
        return done
