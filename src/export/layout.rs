//! Text that wraps and flows across pages: words are measured with the font, lines are
//! broken where the next word would not fit (a word wider than the line is broken
//! between letters, never cut off), and the lines become items that the pages are
//! filled with. Headings stay with what follows them, and a paragraph never leaves a
//! single line alone at the foot or the head of a page.

use unicode_segmentation::UnicodeSegmentation as _;

use super::fonts::{Fonts, Weight};

/// A colour as red, green and blue.
pub(crate) type Color = [u8; 3];

/// Body text.
pub(crate) const INK: Color = [0x1f, 0x24, 0x2b];
/// Secondary text: headers, footers, captions.
pub(crate) const MUTED: Color = [0x55, 0x5d, 0x66];
/// Headings.
pub(crate) const ACCENT: Color = [0x1c, 0x4e, 0x6b];
/// Thin rules and frames.
pub(crate) const RULE: Color = [0xb8, 0xc0, 0xc8];

/// How much taller a line is than its type.
const LEADING: f32 = 1.45;
/// The body type size, in points.
pub(crate) const BODY_SIZE: f32 = 10.5;
/// The size of captions, headers and footers.
pub(crate) const SMALL_SIZE: f32 = 8.5;

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextStyle {
    /// Regular or bold.
    pub weight: Weight,
    /// In points.
    pub size: f32,
    /// The colour of the letters.
    pub color: Color,
}

impl TextStyle {
    /// Body text.
    pub(crate) const BODY: TextStyle = TextStyle {
        weight: Weight::Regular,
        size: BODY_SIZE,
        color: INK,
    };
    /// Bold body text.
    pub(crate) const STRONG: TextStyle = TextStyle {
        weight: Weight::Bold,
        size: BODY_SIZE,
        color: INK,
    };
    /// Small secondary text.
    pub(crate) const SMALL: TextStyle = TextStyle {
        weight: Weight::Regular,
        size: SMALL_SIZE,
        color: MUTED,
    };

    /// The same style in another colour.
    pub(crate) const fn colored(self, color: Color) -> TextStyle {
        TextStyle { color, ..self }
    }

    /// The same style at another size.
    pub(crate) const fn sized(self, size: f32) -> TextStyle {
        TextStyle { size, ..self }
    }
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    /// The text; `\n` starts a new line.
    pub text: String,
    /// How it looks.
    pub style: TextStyle,
}

impl Span {
    /// A run of body text.
    pub(crate) fn body(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            style: TextStyle::BODY,
        }
    }

    /// A run of bold body text.
    pub(crate) fn strong(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            style: TextStyle::STRONG,
        }
    }

    /// A run in any style.
    pub(crate) fn styled(text: impl Into<String>, style: TextStyle) -> Span {
        Span {
            text: text.into(),
            style,
        }
    }
}

/// A stroke: colour and width in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pen {
    /// The colour.
    pub color: Color,
    /// The width in points.
    pub width: f32,
    /// Whether the line is dashed.
    pub dashed: bool,
}

/// Something drawn, positioned relative to the top-left corner of its item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// One run of text on a baseline.
    Text {
        /// Left edge.
        x: f32,
        /// The baseline, from the top.
        baseline: f32,
        /// The style.
        style: TextStyle,
        /// The text, without line breaks.
        text: String,
    },
    /// A closed shape, filled and/or outlined.
    Shape {
        /// The corners, in order.
        points: Vec<(f32, f32)>,
        /// The fill, if any.
        fill: Option<Color>,
        /// The outline, if any.
        pen: Option<Pen>,
    },
    /// A straight line.
    Line {
        /// Start.
        from: (f32, f32),
        /// End.
        to: (f32, f32),
        /// How it is drawn.
        pen: Pen,
    },
}

impl Op {
    /// A rectangle.
    pub(crate) fn rect(
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        fill: Option<Color>,
        pen: Option<Pen>,
    ) -> Op {
        Op::Shape {
            points: vec![
                (x, y),
                (x + width, y),
                (x + width, y + height),
                (x, y + height),
            ],
            fill,
            pen,
        }
    }

    /// The same op moved by `dx`, `dy`.
    pub(crate) fn moved(&self, dx: f32, dy: f32) -> Op {
        match self {
            Op::Text {
                x,
                baseline,
                style,
                text,
            } => Op::Text {
                x: x + dx,
                baseline: baseline + dy,
                style: *style,
                text: text.clone(),
            },
            Op::Shape { points, fill, pen } => Op::Shape {
                points: points.iter().map(|(x, y)| (x + dx, y + dy)).collect(),
                fill: *fill,
                pen: *pen,
            },
            Op::Line { from, to, pen } => Op::Line {
                from: (from.0 + dx, from.1 + dy),
                to: (to.0 + dx, to.1 + dy),
                pen: *pen,
            },
        }
    }
}

/// One run of text placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// Left edge, from the start of the line.
    pub x: f32,
    /// The text.
    pub text: String,
    /// Its style.
    pub style: TextStyle,
}

/// A line of text, broken to fit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The runs, left to right.
    pub segments: Vec<Segment>,
    /// How wide the text is.
    pub width: f32,
    /// The largest type size on the line.
    pub size: f32,
}

impl Line {
    /// How tall the line is.
    pub(crate) fn height(&self) -> f32 {
        self.size * LEADING
    }

    /// The baseline, from the top of the line.
    pub(crate) fn baseline(&self, fonts: &Fonts) -> f32 {
        let ascent = fonts.ascent();
        let descent = fonts.descent();
        self.size * ((LEADING - ascent - descent) / 2.0 + ascent)
    }

    /// The line's runs as drawing ops, with the line's top-left corner at `x`, `y`.
    pub(crate) fn ops(&self, fonts: &Fonts, x: f32, y: f32) -> Vec<Op> {
        let baseline = y + self.baseline(fonts);
        self.segments
            .iter()
            .map(|segment| Op::Text {
                x: x + segment.x,
                baseline,
                style: segment.style,
                text: segment.text.clone(),
            })
            .collect()
    }
}

/// A word: the letters between two spaces, possibly in several styles.
#[derive(Debug, Default)]
struct Word {
    pieces: Vec<(String, TextStyle)>,
    /// The style of the space before it, if there was one.
    space_before: Option<TextStyle>,
    /// How many forced line breaks come before it.
    breaks_before: usize,
}

impl Word {
    fn push(&mut self, character: char, style: TextStyle) {
        match self.pieces.last_mut() {
            Some((text, last)) if *last == style => text.push(character),
            _ => self.pieces.push((character.to_string(), style)),
        }
    }

    fn width(&self, fonts: &Fonts) -> f32 {
        self.pieces
            .iter()
            .map(|(text, style)| fonts.width(style.weight, style.size, text))
            .sum()
    }
}

/// Splits runs into words at spaces and line breaks.
fn words(spans: &[Span]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut word = Word::default();
    for span in spans {
        for character in span.text.chars() {
            if character == '\n' || character.is_whitespace() {
                if !word.pieces.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                if character == '\n' {
                    word.breaks_before += 1;
                    word.space_before = None;
                } else if word.breaks_before == 0 {
                    word.space_before = Some(span.style);
                }
            } else if !crate::untrusted::is_unsafe_to_show(character) {
                // Control characters and direction overrides are never drawn: text
                // from a file cannot reorder or hide the words after it.
                word.push(character, span.style);
            }
        }
    }
    if !word.pieces.is_empty() {
        words.push(word);
    }
    words
}

/// Breaks a word wider than the line between letters, never inside one: a letter is a
/// grapheme cluster (Unicode's user-perceived character: a base with its accents, a
/// Devanagari or Thai letter with its vowel signs, an emoji sequence). Each piece fits
/// the line unless a single letter does not.
fn split_word(fonts: &Fonts, word: Word, max_width: f32) -> Vec<Word> {
    let mut pieces = Vec::new();
    let mut current = Word {
        space_before: word.space_before,
        breaks_before: word.breaks_before,
        pieces: Vec::new(),
    };
    for (text, style) in word.pieces {
        for letter in text.graphemes(true) {
            let mut candidate = Word {
                pieces: current.pieces.clone(),
                ..Word::default()
            };
            for character in letter.chars() {
                candidate.push(character, style);
            }
            if !current.pieces.is_empty() && candidate.width(fonts) > max_width {
                pieces.push(std::mem::take(&mut current));
                for character in letter.chars() {
                    current.push(character, style);
                }
            } else {
                current.pieces = candidate.pieces;
            }
        }
    }
    if !current.pieces.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// A line being filled.
struct LineBuilder {
    segments: Vec<Segment>,
    x: f32,
    size: f32,
}

impl LineBuilder {
    fn new(size: f32) -> Self {
        LineBuilder {
            segments: Vec::new(),
            x: 0.0,
            size,
        }
    }

    fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    fn space_width(fonts: &Fonts, word: &Word) -> f32 {
        word.space_before
            .map_or(0.0, |style| fonts.width(style.weight, style.size, " "))
    }

    /// Adds a word, after a space unless the line is empty.
    fn push(&mut self, fonts: &Fonts, word: &Word) {
        for (index, (text, style)) in word.pieces.iter().enumerate() {
            if index == 0
                && !self.is_empty()
                && let Some(space_style) = word.space_before
            {
                let space_width = fonts.width(space_style.weight, space_style.size, " ");
                if let Some(last) = self.segments.last_mut()
                    && last.style == space_style
                    && last.style == *style
                {
                    last.text.push(' ');
                    last.text.push_str(text);
                    self.x += space_width + fonts.width(style.weight, style.size, text);
                    self.size = self.size.max(style.size);
                    continue;
                }
                self.x += space_width;
            }
            self.place(fonts, text, *style);
        }
    }

    fn place(&mut self, fonts: &Fonts, text: &str, style: TextStyle) {
        self.segments.push(Segment {
            x: self.x,
            text: text.to_owned(),
            style,
        });
        self.size = self.size.max(style.size);
        self.x += fonts.width(style.weight, style.size, text);
    }

    fn finish(self) -> Line {
        Line {
            segments: self.segments,
            width: self.x,
            size: self.size,
        }
    }
}

/// Breaks runs of text into lines no wider than `max_width` points, measuring every
/// word with the font. Spaces at a break are dropped; `\n` forces a break; a word wider
/// than the line is broken between letters. Empty text gives no line.
pub(crate) fn break_lines(fonts: &Fonts, spans: &[Span], max_width: f32) -> Vec<Line> {
    let base_size = spans.first().map_or(BODY_SIZE, |span| span.style.size);
    let mut lines = Vec::new();
    let mut line = LineBuilder::new(base_size);
    for word in words(spans) {
        for _ in 0..word.breaks_before {
            lines.push(std::mem::replace(&mut line, LineBuilder::new(base_size)).finish());
        }
        let width = word.width(fonts);
        let space = if line.is_empty() {
            0.0
        } else {
            LineBuilder::space_width(fonts, &word)
        };
        if line.is_empty() && width <= max_width {
            line.push(fonts, &word);
            continue;
        }
        if !line.is_empty() && line.x + space + width <= max_width {
            line.push(fonts, &word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::replace(&mut line, LineBuilder::new(base_size)).finish());
        }
        if width <= max_width {
            line.push(fonts, &word);
        } else {
            for piece in split_word(fonts, word, max_width) {
                if !line.is_empty() {
                    lines.push(std::mem::replace(&mut line, LineBuilder::new(base_size)).finish());
                }
                line.push(fonts, &piece);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line.finish());
    }
    lines
}

/// A tinted background behind a run of items, with a stripe on its left edge: how a
/// warning or a notice stands out. It may continue on the next page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Band {
    /// Which callout the item belongs to; neighbouring items of one callout share it.
    pub id: u32,
    /// The background.
    pub fill: Color,
    /// The stripe on the left.
    pub stripe: Color,
}

/// A piece of a page that is never split: a line of text, a gap, a chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    /// How tall it is, in points.
    pub height: f32,
    /// What it draws, relative to its top-left corner at the content's left margin.
    pub ops: Vec<Op>,
    /// Whether it must be on the same page as the next item.
    pub keep_with_next: bool,
    /// Whether it is only a gap, dropped at the top of a page.
    pub is_gap: bool,
    /// The callout it belongs to, if any.
    pub band: Option<Band>,
}

/// What marks the start of a row in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// Nothing.
    None,
    /// A round bullet.
    Bullet,
    /// An empty box to tick.
    Checkbox,
}

/// How much a callout's text is set in from its edges.
const CALLOUT_PADDING: f32 = 9.0;
/// The width taken by a row's marker.
const MARKER_WIDTH: f32 = 15.0;

/// A page's content, built top to bottom, then cut into pages by [`paginate`].
pub(crate) struct Flow<'f> {
    fonts: &'f Fonts,
    width: f32,
    inset: f32,
    band: Option<Band>,
    next_band: u32,
    items: Vec<Item>,
}

impl<'f> Flow<'f> {
    /// An empty flow whose content is `width` points wide.
    pub(crate) fn new(fonts: &'f Fonts, width: f32) -> Self {
        Flow {
            fonts,
            width,
            inset: 0.0,
            band: None,
            next_band: 0,
            items: Vec::new(),
        }
    }

    /// The fonts text is measured with.
    pub(crate) fn fonts(&self) -> &'f Fonts {
        self.fonts
    }

    /// How wide text may be here (narrower inside a callout).
    pub(crate) fn text_width(&self) -> f32 {
        self.width - 2.0 * self.inset
    }

    /// The items so far.
    pub(crate) fn into_items(self) -> Vec<Item> {
        self.items
    }

    /// Adds an item as it is, inside the current callout if any.
    pub(crate) fn push(&mut self, height: f32, ops: Vec<Op>, keep_with_next: bool) {
        let inset = self.inset;
        self.items.push(Item {
            height,
            ops: ops.into_iter().map(|op| op.moved(inset, 0.0)).collect(),
            keep_with_next,
            is_gap: false,
            band: self.band,
        });
    }

    /// Vertical space; dropped at the top of a page. After an item that stays with what
    /// follows, the gap does too, so the item stays with what follows the gap.
    pub(crate) fn gap(&mut self, height: f32) {
        let keep_with_next = self.items.last().is_some_and(|item| item.keep_with_next);
        self.items.push(Item {
            height,
            ops: Vec::new(),
            keep_with_next,
            is_gap: self.band.is_none(),
            band: self.band,
        });
    }

    /// Adds lines of text as items; the first two and the last two lines stay together.
    fn push_lines(&mut self, lines: Vec<Vec<Op>>, heights: &[f32], keep_last_with_next: bool) {
        let count = lines.len();
        for (index, (ops, height)) in lines.into_iter().zip(heights).enumerate() {
            let is_last = index + 1 == count;
            let keep = if is_last {
                keep_last_with_next
            } else {
                index == 0 || index + 2 == count
            };
            self.push(*height, ops, keep);
        }
    }

    /// A heading: bold, in the accent colour, kept with what follows it.
    pub(crate) fn heading(&mut self, text: &str, size: f32, space_before: f32) {
        self.gap(space_before);
        let style = TextStyle {
            weight: Weight::Bold,
            size,
            color: ACCENT,
        };
        let lines = break_lines(self.fonts, &[Span::styled(text, style)], self.text_width());
        let heights: Vec<f32> = lines.iter().map(Line::height).collect();
        let ops = lines
            .iter()
            .map(|line| line.ops(self.fonts, 0.0, 0.0))
            .collect();
        self.push_lines(ops, &heights, true);
        self.gap(size * 0.25);
        if let Some(last) = self.items.last_mut() {
            last.keep_with_next = true;
        }
    }

    /// A paragraph of wrapped text, set in by `indent` points.
    pub(crate) fn paragraph_indented(&mut self, spans: &[Span], indent: f32) {
        let lines = break_lines(self.fonts, spans, self.text_width() - indent);
        let heights: Vec<f32> = lines.iter().map(Line::height).collect();
        let ops = lines
            .iter()
            .map(|line| line.ops(self.fonts, indent, 0.0))
            .collect();
        self.push_lines(ops, &heights, false);
    }

    /// A paragraph of wrapped text.
    pub(crate) fn paragraph(&mut self, spans: &[Span]) {
        self.paragraph_indented(spans, 0.0);
    }

    /// A row of a list: a marker, a label in a column `label_width` points wide (zero
    /// for none), and the body beside it; both wrap within their columns.
    pub(crate) fn row(&mut self, marker: Marker, label: &[Span], label_width: f32, body: &[Span]) {
        let marker_width = if marker == Marker::None {
            0.0
        } else {
            MARKER_WIDTH
        };
        let label_x = marker_width;
        let body_x = marker_width + label_width;
        let label_lines = if label_width > 0.0 {
            break_lines(self.fonts, label, label_width - 8.0)
        } else {
            Vec::new()
        };
        let body_lines = break_lines(self.fonts, body, self.text_width() - body_x);
        let count = label_lines.len().max(body_lines.len());
        let mut ops_per_line = Vec::with_capacity(count);
        let mut heights = Vec::with_capacity(count);
        for index in 0..count {
            let label_line = label_lines.get(index);
            let body_line = body_lines.get(index);
            // Label and body share a baseline, whatever their sizes.
            let baseline = label_line
                .map_or(0.0, |line| line.baseline(self.fonts))
                .max(body_line.map_or(0.0, |line| line.baseline(self.fonts)));
            let mut ops = Vec::new();
            let mut height: f32 = 0.0;
            for (line, x) in [(label_line, label_x), (body_line, body_x)] {
                if let Some(line) = line {
                    let top = baseline - line.baseline(self.fonts);
                    ops.extend(line.ops(self.fonts, x, top));
                    height = height.max(top + line.height());
                }
            }
            if index == 0 {
                let size = body_line.or(label_line).map_or(BODY_SIZE, |line| line.size);
                ops.extend(marker_ops(marker, size, baseline - size * 0.33));
            }
            ops_per_line.push(ops);
            heights.push(height);
        }
        self.push_lines(ops_per_line, &heights, false);
    }

    /// The last item stays on the page of whatever comes next; when it is a gap, so
    /// does the item before the gap.
    pub(crate) fn keep_next(&mut self) {
        for item in self.items.iter_mut().rev() {
            item.keep_with_next = true;
            if !item.is_gap {
                break;
            }
        }
    }

    /// A thin line from `from_x` to `to_x`, to write on.
    pub(crate) fn rule_line(&mut self, from_x: f32, to_x: f32) {
        let pen = Pen {
            color: MUTED,
            width: 0.7,
            dashed: false,
        };
        self.push(
            6.0,
            vec![Op::Line {
                from: (from_x, 1.0),
                to: (to_x, 1.0),
                pen,
            }],
            false,
        );
    }

    /// Everything added by `add` stays on one page (unless it is taller than a page).
    pub(crate) fn keep_together(&mut self, add: impl FnOnce(&mut Self)) {
        let start = self.items.len();
        add(self);
        let end = self.items.len();
        if end > start + 1 {
            for item in &mut self.items[start..end - 1] {
                item.keep_with_next = true;
            }
        }
    }

    /// A tinted box with a stripe on its left, around everything `add` adds.
    pub(crate) fn callout(&mut self, fill: Color, stripe: Color, add: impl FnOnce(&mut Self)) {
        self.gap(4.0);
        let band = Band {
            id: self.next_band,
            fill,
            stripe,
        };
        self.next_band += 1;
        let outer = (self.band, self.inset);
        self.band = Some(band);
        self.inset += CALLOUT_PADDING;
        self.push(CALLOUT_PADDING - 2.0, Vec::new(), true);
        add(self);
        self.push(CALLOUT_PADDING - 2.0, Vec::new(), false);
        (self.band, self.inset) = outer;
        self.gap(4.0);
    }
}

/// The marker of a row, centred on the middle of its first line's letters.
fn marker_ops(marker: Marker, size: f32, middle: f32) -> Vec<Op> {
    match marker {
        Marker::None => Vec::new(),
        Marker::Bullet => {
            let radius = size * 0.16;
            let center = (3.0 + radius, middle);
            // An octagon reads as a dot at this size.
            let points = (0..8_u8)
                .map(|step| {
                    let angle = std::f32::consts::FRAC_PI_4 * f32::from(step);
                    (
                        center.0 + radius * angle.cos(),
                        center.1 + radius * angle.sin(),
                    )
                })
                .collect();
            vec![Op::Shape {
                points,
                fill: Some(ACCENT),
                pen: None,
            }]
        }
        Marker::Checkbox => {
            let edge = size * 0.85;
            vec![Op::rect(
                1.0,
                middle - edge / 2.0,
                edge,
                edge,
                None,
                Some(Pen {
                    color: MUTED,
                    width: 0.8,
                    dashed: false,
                }),
            )]
        }
    }
}

/// Where an item is placed on its page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    /// The item's index.
    pub index: usize,
    /// Its top, from the top of the page's content area.
    pub y: f32,
}

/// Fills pages `page_height` points tall with the items in order. Items that must stay
/// together move to the next page together, unless together they are taller than a
/// page; gaps at the top of a page are dropped. Every item that is not a gap is placed
/// exactly once.
/// Whether the item at `index` and the rest of its callout draw nothing: spacing that
/// must not open a page as an empty stripe.
fn only_spacing_left_in_band(items: &[Item], index: usize) -> bool {
    let Some(band) = items[index].band else {
        return false;
    };
    items[index..]
        .iter()
        .take_while(|item| item.band.is_some_and(|other| other.id == band.id))
        .all(|item| item.ops.is_empty())
}

pub(crate) fn paginate(items: &[Item], page_height: f32) -> Vec<Vec<Placed>> {
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = 0.0_f32;
    let mut index = 0;
    while index < items.len() {
        let mut end = index;
        while end + 1 < items.len() && items[end].keep_with_next {
            end += 1;
        }
        let unit_height: f32 = items[index..=end].iter().map(|item| item.height).sum();
        let on_fresh_page = pages.last().is_none_or(Vec::is_empty);
        if !on_fresh_page && y + unit_height > page_height + 0.01 && unit_height <= page_height {
            pages.push(Vec::new());
            y = 0.0;
        }
        for (offset, item) in items[index..=end].iter().enumerate() {
            let fresh = pages.last().is_none_or(Vec::is_empty);
            if fresh && (item.is_gap || only_spacing_left_in_band(items, index + offset)) {
                continue;
            }
            if !fresh && y + item.height > page_height + 0.01 {
                pages.push(Vec::new());
                y = 0.0;
                if item.is_gap {
                    continue;
                }
            }
            if let Some(page) = pages.last_mut() {
                page.push(Placed {
                    index: index + offset,
                    y,
                });
            }
            y += item.height;
        }
        index = end + 1;
    }
    if pages.len() > 1 && pages.last().is_some_and(Vec::is_empty) {
        pages.pop();
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_that_ends_at_the_foot_of_a_page_leaves_nothing_on_the_next() {
        let fonts = fonts();
        let mut flow = Flow::new(&fonts, 400.0);
        flow.callout([250, 240, 220], [200, 140, 40], |flow| {
            flow.push(
                50.0,
                vec![Op::rect(0.0, 0.0, 10.0, 10.0, Some([0, 0, 0]), None)],
                false,
            );
            flow.gap(6.0);
        });
        let items = flow.items.clone();
        // The page holds the opening padding and the content, not the closing padding.
        let page_height = items[..items.len() - 3]
            .iter()
            .map(|item| item.height)
            .sum::<f32>()
            + 1.0;
        let pages = paginate(&items, page_height);
        assert_eq!(
            pages.len(),
            1,
            "the closing padding alone makes no second page"
        );
    }

    fn fonts() -> Fonts {
        Fonts::load().unwrap()
    }

    fn letters(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn line_text(line: &Line) -> String {
        line.segments
            .iter()
            .map(|segment| segment.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn check(text: &str, width: f32) -> Vec<Line> {
        let fonts = fonts();
        let lines = break_lines(&fonts, &[Span::body(text)], width);
        let joined: String = lines.iter().map(line_text).collect::<Vec<_>>().join(" ");
        assert_eq!(
            letters(&joined),
            letters(text),
            "no letter is lost or added"
        );
        for line in &lines {
            let measured: f32 = line
                .segments
                .iter()
                .map(|s| fonts.width(s.style.weight, s.style.size, &s.text))
                .fold(0.0, f32::max);
            assert!(
                line.width <= width + 0.01,
                "{} is {} wide",
                line_text(line),
                line.width
            );
            assert!(measured <= width + 0.01);
            for segment in &line.segments {
                let right = segment.x
                    + fonts.width(segment.style.weight, segment.style.size, &segment.text);
                assert!(right <= width + 0.5, "{} ends at {right}", segment.text);
            }
        }
        lines
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_between_letters_and_nothing_is_lost() {
        let url = "https://example.org/a/very/long/path/that/never/ends/and/keeps/going/for/ever/and/ever";
        let lines = check(&format!("See {url} for more."), 120.0);
        assert!(lines.len() >= 4, "{lines:?}");
        let word = "Supercalifragilisticexpialidocious".repeat(4);
        let lines = check(&word, 60.0);
        assert!(lines.len() > 5);
    }

    #[test]
    fn a_letter_keeps_its_vowel_signs_and_tone_marks_across_a_break() {
        // Devanagari "ki" (a consonant and its vowel sign) and Thai "kii" with a tone
        // mark: neither sign is a combining accent, and neither may start a line.
        for (word, signs) in [
            ("\u{915}\u{93f}".repeat(40), &['\u{93f}'][..]),
            (
                "\u{e01}\u{e35}\u{e48}".repeat(40),
                &['\u{e35}', '\u{e48}'][..],
            ),
        ] {
            // Every width from narrow to wide, so that some break falls between a letter
            // and its sign if breaks can.
            for width in 20..60 {
                let lines = check(&word, f32::from(u8::try_from(width).unwrap()));
                assert!(lines.len() > 2, "{lines:?}");
                for line in &lines {
                    let text = line_text(line);
                    assert!(
                        !text.starts_with(signs),
                        "at {width} points a line starts with a sign: {text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn accents_typed_separately_stay_on_their_letter() {
        // "e" followed by a combining acute accent, many times over.
        let word = "e\u{301}".repeat(60);
        let lines = check(&word, 40.0);
        for line in &lines {
            assert!(!line_text(line).starts_with('\u{301}'));
        }
    }

    #[test]
    fn lines_break_at_spaces_and_fill_the_width() {
        let text = "Keep the treated skin clean; apply the soothing cream or balm given by the clinic, and avoid direct sun on the treated skin.";
        let lines = check(text, 200.0);
        assert!(lines.len() >= 2);
        let fonts = fonts();
        // A greedy break: the next line's first word would not have fitted.
        for pair in lines.windows(2) {
            let first_word = line_text(&pair[1]).split(' ').next().unwrap().to_owned();
            let with_next = pair[0].width
                + fonts.width(Weight::Regular, BODY_SIZE, " ")
                + fonts.width(Weight::Regular, BODY_SIZE, &first_word);
            assert!(with_next > 200.0);
        }
        assert!(check("", 100.0).is_empty());
        assert_eq!(check("one\ntwo", 300.0).len(), 2);
    }

    #[test]
    fn runs_of_different_styles_sit_side_by_side() {
        let fonts = fonts();
        let lines = break_lines(
            &fonts,
            &[
                Span::strong("Monday 18 January 2027:"),
                Span::body(" the first session"),
            ],
            400.0,
        );
        assert_eq!(lines.len(), 1);
        let segments = &lines[0].segments;
        assert_eq!(segments.len(), 2);
        assert!(segments[1].x > fonts.width(Weight::Bold, BODY_SIZE, "Monday 18 January 2027:"));
    }

    fn item(height: f32, keep_with_next: bool) -> Item {
        Item {
            height,
            ops: Vec::new(),
            keep_with_next,
            is_gap: false,
            band: None,
        }
    }

    #[test]
    fn pages_fill_in_order_and_keep_groups_together() {
        let mut items: Vec<Item> = (0..10).map(|_| item(30.0, false)).collect();
        items[3].keep_with_next = true; // 3 and 4 go together
        let pages = paginate(&items, 100.0);
        let indices: Vec<Vec<usize>> = pages
            .iter()
            .map(|page| page.iter().map(|placed| placed.index).collect())
            .collect();
        assert_eq!(
            indices,
            vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9]]
        );
        // A group taller than a page is split rather than lost.
        let tall: Vec<Item> = (0..5).map(|_| item(40.0, true)).collect();
        let placed: usize = paginate(&tall, 100.0).iter().map(Vec::len).sum();
        assert_eq!(placed, 5);
    }

    #[test]
    fn a_gap_at_the_top_of_a_page_is_dropped() {
        let mut items = vec![item(90.0, false), item(20.0, false), item(20.0, false)];
        items[1].is_gap = true;
        let pages = paginate(&items, 100.0);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1], vec![Placed { index: 2, y: 0.0 }]);
    }
}
