package io.dynamo.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A text table: a header row, then rows of cells, each column as wide as its widest cell and two
 * spaces apart. Text columns are aligned left and number columns right, so digits line up. The last
 * column is not padded, so lines carry no trailing blanks.
 */
final class Table {
  /** A column's heading and whether its cells are numbers (right-aligned). */
  record Column(String heading, boolean numeric) {
    static Column text(String heading) {
      return new Column(heading, false);
    }

    static Column number(String heading) {
      return new Column(heading, true);
    }
  }

  private final List<Column> columns;
  private final List<List<String>> rows = new ArrayList<>();

  Table(List<Column> columns) {
    this.columns = List.copyOf(columns);
  }

  /** Adds a row with one cell per column. */
  Table row(List<String> cells) {
    if (cells.size() != columns.size()) {
      throw new IllegalArgumentException(
          "a row of " + cells.size() + " cells in a table of " + columns.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  /** The table as lines, each ending with a newline. */
  String render() {
    int[] widths = new int[columns.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = columns.get(c).heading().length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, columns.stream().map(Column::heading).toList(), widths);
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    return out.toString();
  }

  private void line(StringBuilder out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      String pad = " ".repeat(widths[c] - cell.length());
      line.append(c == 0 ? "" : "  ");
      line.append(columns.get(c).numeric() ? pad + cell : cell + pad);
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
