//! Spreadsheets (`.xlsx`), as operators save them from the client or re-export them: the
//! first sheet, its header row naming the columns.

use std::path::Path;

use crate::cdr::formats::records::{CHUNK_RECORDS, Emit, record_layout};
use crate::cdr::record::fields::{columns_from_header, header_is_cdr};
use crate::cdr::record::rows::FieldRows;

/// Reads the first sheet of a workbook: its header row (the first non-empty one) names the
/// columns; every later row is a record. Returns the sheet's name.
pub fn read_xlsx(path: &Path, emit: &mut Emit<'_>) -> Result<String, String> {
    use calamine::Reader as _;
    let mut wb =
        calamine::open_workbook_auto(path).map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let name = wb.sheet_names().first().cloned().ok_or("the workbook has no sheet")?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(format!("sheet {name}: {e}")),
        None => return Err("the workbook has no sheet".into()),
    };
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut rows = range.rows().enumerate();
    let header = loop {
        let Some((k, row)) = rows.next() else {
            return Err(format!("sheet {name} is empty"));
        };
        if row.iter().any(|c| !matches!(c, calamine::Data::Empty)) {
            break (k, row.iter().map(cell_text).map(Option::unwrap_or_default).collect::<Vec<_>>());
        }
    };
    let columns = columns_from_header(header.1.iter().map(String::as_str));
    if !header_is_cdr(&columns) {
        return Err(format!(
            "sheet {name} has no header naming CDR columns in its first row ({}): a sheet needs columns such as startTime/起始时间 and callerE164/主叫号码",
            header.1.iter().take(6).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let width = columns.len();
    let layout = record_layout(columns);
    let mut chunk = FieldRows::default();
    let mut chunk_first = 0u64;
    for (k, row) in rows {
        if chunk.is_empty() {
            chunk_first = first_row + k as u64;
        }
        let cells: Vec<String> = row.iter().take(width).map(|c| cell_text(c).unwrap_or_default()).collect();
        chunk.push(cells.iter().map(String::as_bytes).chain(std::iter::repeat(&b""[..])).take(width));
        if chunk.len() == CHUNK_RECORDS && !emit(layout.clone(), std::mem::take(&mut chunk), chunk_first) {
            return Ok(name);
        }
    }
    let _ = header.0;
    if !chunk.is_empty() {
        emit(layout, chunk, chunk_first);
    }
    Ok(name)
}

/// A cell as CDR text. Whole numbers print without a fraction; numbers of 16 digits or more
/// are beyond what a spreadsheet keeps, so they print as Excel shows them (`1.00206285364032E+17`)
/// and the parser warns that their digits are gone. Dates become local date-times.
fn cell_text(c: &calamine::Data) -> Option<String> {
    use calamine::Data;
    match c {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(if *b { "1" } else { "0" }.into()),
        Data::Float(f) => Some(float_text(*f)),
        Data::DateTime(d) => Some(excel_datetime(d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(_) => None,
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else if f.abs() >= 1e15 {
        // Excel's own rendering: 15 significant digits.
        let s = format!("{f:.14E}");
        let (mantissa, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exp: i32 = exp.parse().unwrap_or(0);
        format!("{mantissa}E{}{exp:02}", if exp < 0 { "-" } else { "+" }).replace("E+-", "E-")
    } else {
        f.to_string()
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD HH:MM:SS`.
fn excel_datetime(serial: f64) -> String {
    let secs = ((serial - 25_569.0) * 86_400.0).round();
    let secs = if secs.is_finite() { secs as i64 } else { 0 };
    let (y, m, d) = crate::cdr::record::time::civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", t / 3600, t % 3600 / 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_numbers() {
        assert_eq!(float_text(601123061045.0), "601123061045");
        assert_eq!(float_text(100206285364032000.0), "1.00206285364032E+17");
        assert_eq!(float_text(0.5), "0.5");
        assert_eq!(excel_datetime(45123.5), "2023-07-16 12:00:00");
    }
}
