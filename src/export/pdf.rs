//! A4 pages from a flow of items: the header with the clinic's name and contact on every
//! page, the content, and a footer with the patient's name and "Page 2 of 3".

use jiff::civil::Date;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};

use super::ExportError;
use super::fonts::{Fonts, Weight};
use super::layout::{
    ACCENT, Color, Item, Line, Op, Pen, RULE, SMALL_SIZE, Span, TextStyle, break_lines, paginate,
};

/// A4 width in points.
const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margins (20 mm).
const MARGIN_X: f32 = 56.7;
/// Top margin, above the header.
const MARGIN_TOP: f32 = 36.0;
/// Bottom margin, below the footer.
const MARGIN_BOTTOM: f32 = 30.0;
/// The width of the content between the margins.
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

/// What every page of a document carries besides its content.
pub(crate) struct Chrome<'a> {
    /// The document's kind, such as "Patient handout".
    pub title: &'a str,
    /// The clinic's name; empty for a neutral header.
    pub clinic_name: &'a str,
    /// The clinic's address, phone and e-mail, several lines; may be empty.
    pub clinic_contact: &'a str,
    /// Whom the document is for.
    pub patient_name: &'a str,
    /// The day it was made.
    pub generated_on: Date,
}

/// Lines of `text`, each at most `width` wide, right-aligned to `right` when asked.
fn text_ops(fonts: &Fonts, spans: &[Span], width: f32, y: &mut f32, right: Option<f32>) -> Vec<Op> {
    let mut ops = Vec::new();
    for line in break_lines(fonts, spans, width) {
        let x = right.map_or(0.0, |right| right - line.width);
        ops.extend(line.ops(fonts, x, *y));
        *y += line.height();
    }
    ops
}

/// The header's ops, from the top margin, and its height.
fn header(fonts: &Fonts, chrome: &Chrome<'_>) -> (Vec<Op>, f32) {
    let left_width = CONTENT_WIDTH * 0.6;
    let right_width = CONTENT_WIDTH - left_width - 12.0;
    let name_style = TextStyle {
        weight: Weight::Bold,
        size: 12.5,
        color: ACCENT,
    };
    let mut ops = Vec::new();
    let mut left_y = 0.0;
    let clinic_name = chrome.clinic_name.trim();
    let heading = if clinic_name.is_empty() {
        chrome.title
    } else {
        clinic_name
    };
    ops.extend(text_ops(
        fonts,
        &[Span::styled(heading, name_style)],
        left_width,
        &mut left_y,
        None,
    ));
    let contact = chrome.clinic_contact.trim();
    if !contact.is_empty() {
        ops.extend(text_ops(
            fonts,
            &[Span::styled(contact, TextStyle::SMALL)],
            left_width,
            &mut left_y,
            None,
        ));
    }
    let mut right_y = 2.0;
    let mut right_spans = Vec::new();
    if !clinic_name.is_empty() {
        right_spans.push(Span::styled(
            format!("{}\n", chrome.title),
            TextStyle::SMALL.colored(ACCENT).sized(9.5),
        ));
        right_spans[0].style.weight = Weight::Bold;
    }
    right_spans.push(Span::styled(
        format!("For {}", chrome.patient_name.trim()),
        TextStyle::SMALL.sized(9.0),
    ));
    ops.extend(text_ops(
        fonts,
        &right_spans,
        right_width,
        &mut right_y,
        Some(CONTENT_WIDTH),
    ));
    let height = left_y.max(right_y) + 6.0;
    ops.push(Op::Line {
        from: (0.0, height),
        to: (CONTENT_WIDTH, height),
        pen: Pen {
            color: RULE,
            width: 0.8,
            dashed: false,
        },
    });
    (ops, height)
}

/// The footer's ops, with its top at zero, and its height.
fn footer(fonts: &Fonts, chrome: &Chrome<'_>, page: usize, pages: usize) -> (Vec<Op>, f32) {
    let style = TextStyle::SMALL;
    let page_text = format!("Page {page} of {pages}");
    let page_width = fonts.width(style.weight, style.size, &page_text);
    let left = format!(
        "{} for {}, prepared on {}",
        chrome.title,
        chrome.patient_name.trim(),
        super::wording::long_date(chrome.generated_on)
    );
    let mut ops = vec![Op::Line {
        from: (0.0, 0.0),
        to: (CONTENT_WIDTH, 0.0),
        pen: Pen {
            color: RULE,
            width: 0.5,
            dashed: false,
        },
    }];
    let mut y = 4.0;
    let left_lines: Vec<Line> = break_lines(
        fonts,
        &[Span::styled(left, style)],
        CONTENT_WIDTH - page_width - 24.0,
    );
    let first_baseline = left_lines
        .first()
        .map_or(y + SMALL_SIZE, |line| y + line.baseline(fonts));
    for line in &left_lines {
        ops.extend(line.ops(fonts, 0.0, y));
        y += line.height();
    }
    ops.push(Op::Text {
        x: CONTENT_WIDTH - page_width,
        baseline: first_baseline,
        style,
        text: page_text,
    });
    (ops, y.max(4.0 + SMALL_SIZE * 1.45))
}

fn paint(color: Color) -> krilla::paint::Paint {
    rgb::Color::new(color[0], color[1], color[2]).into()
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: paint(color),
        ..Fill::default()
    }
}

fn stroke(pen: Pen) -> Stroke {
    Stroke {
        paint: paint(pen.color),
        width: pen.width,
        dash: pen.dashed.then(|| StrokeDash {
            array: vec![2.0, 2.0],
            offset: 0.0,
        }),
        ..Stroke::default()
    }
}

/// Draws ops with their origin at `dx`, `dy` on the page.
fn draw(surface: &mut krilla::surface::Surface<'_>, fonts: &Fonts, ops: &[Op], dx: f32, dy: f32) {
    for op in ops {
        match op.moved(dx, dy) {
            Op::Text {
                x,
                baseline,
                style,
                text,
            } => {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(style.color)));
                let mut x = x;
                for run in fonts.runs_to_draw(style.weight, &text) {
                    surface.draw_glyphs(
                        Point::from_xy(x, baseline),
                        &run.glyphs,
                        run.font,
                        run.text,
                        style.size,
                        false,
                    );
                    x += run.advance_per_em * style.size;
                }
            }
            Op::Shape {
                points,
                fill: inside,
                pen,
            } => {
                let mut builder = PathBuilder::new();
                for (index, (x, y)) in points.iter().enumerate() {
                    if index == 0 {
                        builder.move_to(*x, *y);
                    } else {
                        builder.line_to(*x, *y);
                    }
                }
                builder.close();
                if let Some(path) = builder.finish() {
                    surface.set_fill(inside.map(fill));
                    surface.set_stroke(pen.map(stroke));
                    if inside.is_some() || pen.is_some() {
                        surface.draw_path(&path);
                    }
                }
            }
            Op::Line { from, to, pen } => {
                let mut builder = PathBuilder::new();
                builder.move_to(from.0, from.1);
                builder.line_to(to.0, to.1);
                if let Some(path) = builder.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(stroke(pen)));
                    surface.draw_path(&path);
                }
            }
        }
    }
}

/// Every piece of text the document draws, to check the fonts can draw it.
fn all_text<'o>(ops: impl Iterator<Item = &'o Op>) -> String {
    let mut text = String::new();
    for op in ops {
        if let Op::Text { text: run, .. } = op {
            text.push_str(run);
            text.push(' ');
        }
    }
    text
}

/// The tinted callout backgrounds on one page: one rectangle for each run of
/// neighbouring items of the same callout.
fn bands(items: &[Item], placed: &[super::layout::Placed]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut current: Option<(super::layout::Band, f32, f32)> = None;
    let close = |current: Option<(super::layout::Band, f32, f32)>, ops: &mut Vec<Op>| {
        if let Some((band, top, bottom)) = current {
            ops.push(Op::rect(
                0.0,
                top,
                CONTENT_WIDTH,
                bottom - top,
                Some(band.fill),
                None,
            ));
            ops.push(Op::rect(
                0.0,
                top,
                3.0,
                bottom - top,
                Some(band.stripe),
                None,
            ));
        }
    };
    for place in placed {
        let item = &items[place.index];
        let bottom = place.y + item.height;
        match (current, item.band) {
            (Some((band, top, _)), Some(item_band)) if band.id == item_band.id => {
                current = Some((band, top, bottom));
            }
            (_, band) => {
                close(current.take(), &mut ops);
                current = band.map(|band| (band, place.y, bottom));
            }
        }
    }
    close(current, &mut ops);
    ops
}

/// Lays the items out on A4 pages and writes the PDF.
///
/// # Errors
/// When the text has characters the shipped fonts cannot draw, or the PDF cannot be
/// assembled.
pub(crate) fn render(
    fonts: &Fonts,
    items: &[Item],
    chrome: &Chrome<'_>,
) -> Result<Vec<u8>, ExportError> {
    let (header_ops, header_height) = header(fonts, chrome);
    let (sample_footer, footer_height) = footer(fonts, chrome, 99, 99);
    let body_top = MARGIN_TOP + header_height + 16.0;
    let footer_top = PAGE_HEIGHT - MARGIN_BOTTOM - footer_height;
    let body_height = footer_top - 12.0 - body_top;

    let text = all_text(
        items
            .iter()
            .flat_map(|item| item.ops.iter())
            .chain(header_ops.iter())
            .chain(sample_footer.iter()),
    );
    let missing = fonts.missing_characters(&text);
    if !missing.is_empty() {
        return Err(ExportError::UnsupportedCharacters {
            characters: missing
                .iter()
                .map(char::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        });
    }

    let pages = paginate(items, body_height);
    let mut document = krilla::Document::new();
    let date = chrome.generated_on;
    let mut created = DateTime::new(u16::try_from(date.year()).unwrap_or(1970));
    if let (Ok(month), Ok(day)) = (u8::try_from(date.month()), u8::try_from(date.day())) {
        created = created.month(month).day(day);
    }
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "{} for {}",
                chrome.title,
                chrome.patient_name.trim()
            ))
            .language("en".to_owned())
            .creator("Regen Planner".to_owned())
            .creation_date(created),
    );
    let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or(ExportError::Pdf {
        reason: "the page size is invalid".to_owned(),
    })?;
    let count = pages.len();
    for (index, placed) in pages.iter().enumerate() {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        draw(&mut surface, fonts, &header_ops, MARGIN_X, MARGIN_TOP);
        draw(
            &mut surface,
            fonts,
            &bands(items, placed),
            MARGIN_X,
            body_top,
        );
        for place in placed {
            draw(
                &mut surface,
                fonts,
                &items[place.index].ops,
                MARGIN_X,
                body_top + place.y,
            );
        }
        let (footer_ops, _) = footer(fonts, chrome, index + 1, count);
        draw(&mut surface, fonts, &footer_ops, MARGIN_X, footer_top);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|error| ExportError::Pdf {
        reason: format!("{error:?}"),
    })
}
