//! Excel in and out. Every list in Jingzhi can be exported; imports (12345 work orders, places)
//! read the first sheet as rows of text.
#![forbid(unsafe_code)]

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};
use std::io::Cursor;

/// One cell of an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}
impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Num(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// A sheet to export: a title row, headers, rows; `overdue` marks rows to print in red.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub red_rows: Vec<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("excel: {0}")]
    Xlsx(String),
    #[error("无法读取Excel文件：{0}")]
    Read(String),
}

impl From<XlsxError> for OfficeError {
    fn from(e: XlsxError) -> Self {
        OfficeError::Xlsx(e.to_string())
    }
}

/// Writes sheets into an .xlsx file in memory.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE8EEF5))
        .set_border(FormatBorder::Thin);
    let red = Format::new().set_font_color(Color::RGB(0xC62828));
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sanitize_sheet_name(&s.name))?;
        ws.write_string_with_format(0, 0, &s.title, &title)?;
        for (i, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(2, i as u16, h, &head)?;
            let width = s
                .rows
                .iter()
                .take(200)
                .map(|r| match r.get(i) {
                    Some(Cell::Text(t)) => display_width(t),
                    _ => 10,
                })
                .chain(std::iter::once(display_width(h)))
                .max()
                .unwrap_or(10)
                .clamp(6, 60);
            ws.set_column_width(i as u16, width as f64 + 2.0)?;
        }
        for (ri, row) in s.rows.iter().enumerate() {
            let r = (ri + 3) as u32;
            let is_red = s.red_rows.contains(&ri);
            for (ci, cell) in row.iter().enumerate() {
                let c = ci as u16;
                match (cell, is_red) {
                    (Cell::Text(t), false) => ws.write_string(r, c, t).map(|_| ())?,
                    (Cell::Text(t), true) => ws.write_string_with_format(r, c, t, &red).map(|_| ())?,
                    (Cell::Int(v), false) => ws.write_number(r, c, *v as f64).map(|_| ())?,
                    (Cell::Int(v), true) => ws.write_number_with_format(r, c, *v as f64, &red).map(|_| ())?,
                    (Cell::Num(v), false) => ws.write_number(r, c, *v).map(|_| ())?,
                    (Cell::Num(v), true) => ws.write_number_with_format(r, c, *v, &red).map(|_| ())?,
                    (Cell::Empty, _) => {}
                }
            }
        }
        ws.set_freeze_panes(3, 0)?;
    }
    let mut buf = Cursor::new(Vec::new());
    wb.save_to_writer(&mut buf)?;
    Ok(buf.into_inner())
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`.
fn sanitize_sheet_name(s: &str) -> String {
    let cleaned: String = s.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if cleaned.is_empty() { "Sheet1".into() } else { cleaned }
}

/// Approximate column width: CJK characters count double.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) > 0x2E80 { 2 } else { 1 }).sum()
}

/// Reads the first sheet of an .xlsx file as rows of trimmed text.
pub fn read_xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, OfficeError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| OfficeError::Read(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| OfficeError::Read("文件中没有工作表".into()))?
        .map_err(|e| OfficeError::Read(e.to_string()))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|d| match d {
                    Data::Empty => String::new(),
                    Data::String(s) => s.trim().to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(dt) => excel_serial_to_text(dt.as_f64()),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect()
        })
        .collect())
}

/// An Excel date serial (days since 1899-12-30, fraction = time of day) as
/// `YYYY-MM-DDTHH:MM:SS` (no zone: a civil time, read by the importer in Asia/Shanghai).
pub fn excel_serial_to_text(serial: f64) -> String {
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    // Days from 1970-01-01: the serial of 1970-01-01 is 25569.
    let z = days - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_serials_become_civil_times() {
        assert_eq!(super::excel_serial_to_text(46083.5), "2026-03-02T12:00:00");
        assert_eq!(super::excel_serial_to_text(25569.0), "1970-01-01T00:00:00");
    }

    use super::*;

    #[test]
    fn written_sheets_read_back() {
        let bytes = write_xlsx(&[Sheet {
            name: "用户".into(),
            title: "用户列表".into(),
            headers: vec!["用户名".into(), "姓名".into(), "序号".into()],
            rows: vec![
                vec!["zhang".into(), "张三".into(), Cell::Int(1)],
                vec!["li".into(), "李四".into(), Cell::Int(2)],
            ],
            red_rows: vec![1],
        }])
        .unwrap();
        assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");
        let rows = read_xlsx_rows(&bytes).unwrap();
        assert_eq!(rows[0][0], "用户列表");
        assert_eq!(rows[2], vec!["用户名", "姓名", "序号"]);
        assert_eq!(rows[4], vec!["li", "李四", "2"]);
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let e = read_xlsx_rows(b"not a zip").unwrap_err();
        assert!(e.to_string().contains("无法读取Excel文件"));
    }
}

/// Reads CSV text (RFC 4180: quoted fields, doubled quotes, CRLF; a UTF-8 BOM from Excel is
/// skipped) into rows of trimmed text. Rows keep their line numbers: (line, fields).
pub fn read_csv_rows(text: &str) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut field = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if in_quotes {
            match ch {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                c => field.push(c),
            }
            continue;
        }
        match ch {
            '"' if field.is_empty() => in_quotes = true,
            ',' => row.push(std::mem::take(&mut field).trim().to_string()),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field).trim().to_string());
                if row.iter().any(|f| !f.is_empty()) {
                    rows.push((row_line, std::mem::take(&mut row)));
                } else {
                    row.clear();
                }
                line += 1;
                row_line = line;
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field.trim().to_string());
        if row.iter().any(|f| !f.is_empty()) {
            rows.push((row_line, row));
        }
    }
    rows
}

/// Writes rows as CSV (quoting where needed), with a BOM so that Excel reads UTF-8.
pub fn write_csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&headers.iter().map(|h| quote(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn csv_reads_quotes_newlines_and_keeps_line_numbers() {
        let text = "\u{feff}工单编号,诉求内容\r\nGD1,\"油烟，\"\"很大\"\"\"\r\n\r\nGD2,\"两行\n内容\"\nGD3,末行";
        let rows = read_csv_rows(text);
        assert_eq!(rows[0], (1, vec!["工单编号".to_string(), "诉求内容".to_string()]));
        assert_eq!(rows[1], (2, vec!["GD1".to_string(), "油烟，\"很大\"".to_string()]));
        assert_eq!(rows[2].0, 4);
        assert_eq!(rows[2].1[1], "两行\n内容");
        assert_eq!(rows[3], (6, vec!["GD3".to_string(), "末行".to_string()]));
    }

    #[test]
    fn csv_round_trips() {
        let out = write_csv(&["a", "b"], &[vec!["x,y".into(), "say \"hi\"".into()]]);
        let back = read_csv_rows(&out);
        assert_eq!(back[1].1, vec!["x,y".to_string(), "say \"hi\"".to_string()]);
    }
}
