//! The fonts every PDF is set in, shipped with the app so a handout looks the same on
//! every desk: Noto Sans regular and bold (SIL Open Font License, `assets/fonts/OFL.txt`),
//! which cover Latin with its accents (Vietnamese included), Greek and Cyrillic, and
//! Noto Sans Math for the signs Noto Sans lacks (≥, →, −).
//!
//! Text is measured by shaping it with the same shaper the PDF writer draws with, so a
//! line that is measured to fit is the line that is drawn.

use super::ExportError;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
static MATH: &[u8] = include_bytes!("../../assets/fonts/NotoSansMath-Regular.ttf");

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    /// Body text.
    Regular,
    /// Headings, dates and labels.
    Bold,
}

/// A shaping plan, made once per direction and script: making one is the slow part
/// of shaping.
type Plans = std::cell::RefCell<
    Vec<(
        rustybuzz::Direction,
        rustybuzz::Script,
        rustybuzz::ShapePlan,
    )>,
>;

/// One face: what the PDF embeds and what measures text.
struct Face {
    pdf: krilla::text::Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
    plans: Plans,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Self, ExportError> {
        let unreadable = || ExportError::Font { name };
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or_else(unreadable)?;
        let pdf = krilla::text::Font::new(krilla::Data::from(data), 0).ok_or_else(unreadable)?;
        let units_per_em = f32::from(rustybuzz::ttf_parser::Face::units_per_em(&shaper));
        Ok(Face {
            pdf,
            shaper,
            units_per_em,
            plans: Plans::default(),
        })
    }

    fn has(&self, character: char) -> bool {
        self.shaper.glyph_index(character).is_some()
    }

    /// Shapes `text` with a plan made once per direction and script.
    fn shape(&self, text: &str) -> rustybuzz::GlyphBuffer {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let (direction, script) = (buffer.direction(), buffer.script());
        let mut plans = self.plans.borrow_mut();
        let known = plans
            .iter()
            .position(|(d, s, _)| *d == direction && *s == script);
        let index = known.unwrap_or_else(|| {
            let plan = rustybuzz::ShapePlan::new(&self.shaper, direction, Some(script), None, &[]);
            plans.push((direction, script, plan));
            plans.len() - 1
        });
        rustybuzz::shape_with_plan(&self.shaper, &plans[index].2, buffer)
    }

    /// A font unit count as a fraction of the em.
    fn per_em(&self, units: i32) -> f32 {
        // Glyph positions are a few thousand units at most: exact in f32.
        #[expect(
            clippy::cast_precision_loss,
            reason = "glyph positions are far below 2^24 font units"
        )]
        let units = units as f32;
        units / self.units_per_em
    }

    /// The advance of `text` in font units per em, as shaped.
    fn advance_per_em(&self, text: &str) -> f32 {
        self.shape(text)
            .glyph_positions()
            .iter()
            .map(|position| self.per_em(position.x_advance))
            .sum()
    }

    /// The shaped glyphs of `text` (left to right), for the PDF writer, each with the
    /// part of the text it draws so the PDF's text can be copied and searched.
    fn glyphs(&self, text: &str) -> Vec<krilla::text::KrillaGlyph> {
        let shaped = self.shape(text);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (index, (info, position)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[index..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|cluster| *cluster != start)
                .unwrap_or(text.len());
            glyphs.push(krilla::text::KrillaGlyph::new(
                krilla::text::GlyphId::new(info.glyph_id),
                self.per_em(position.x_advance),
                self.per_em(position.x_offset),
                self.per_em(position.y_offset),
                self.per_em(position.y_advance),
                start..end,
                None,
            ));
        }
        glyphs
    }
}

/// The faces every document uses.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
    /// For characters neither weight has; its signs serve both weights.
    math: Face,
    /// Widths already measured, per em: a plan repeats the same words many times.
    widths: std::cell::RefCell<std::collections::HashMap<(Weight, String), f32>>,
}

/// A piece of text in one face, shaped, ready to draw.
pub(crate) struct Run<'t> {
    /// The face the PDF draws it with.
    pub font: krilla::text::Font,
    /// The text.
    pub text: &'t str,
    /// Its glyphs.
    pub glyphs: Vec<krilla::text::KrillaGlyph>,
    /// How wide it is at a size of one point.
    pub advance_per_em: f32,
}

impl Fonts {
    /// Reads the shipped fonts.
    ///
    /// # Errors
    /// Only if a shipped font file is damaged, which a test rules out.
    pub(crate) fn load() -> Result<Self, ExportError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "Noto Sans Regular")?,
            bold: Face::load(BOLD, "Noto Sans Bold")?,
            math: Face::load(MATH, "Noto Sans Math")?,
            widths: std::cell::RefCell::default(),
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The text cut where it changes face: the weight's own face, or the math face for
    /// a sign the weight lacks. Spaces and accents typed separately stay in the run
    /// they follow.
    fn runs<'t>(&self, weight: Weight, text: &'t str) -> Vec<(&Face, &'t str)> {
        let own = self.face(weight);
        let mut runs: Vec<(&Face, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<&Face> = None;
        for (index, character) in text.char_indices() {
            let joins = character.is_whitespace() || super::layout::is_combining(character);
            let face = if joins {
                current.unwrap_or(own)
            } else if own.has(character) || !self.math.has(character) {
                own
            } else {
                &self.math
            };
            match current {
                Some(previous) if std::ptr::eq(previous, face) => {}
                Some(previous) => {
                    runs.push((previous, &text[start..index]));
                    start = index;
                    current = Some(face);
                }
                None => current = Some(face),
            }
        }
        if let Some(face) = current {
            runs.push((face, &text[start..]));
        }
        runs
    }

    /// The text in runs of one face, with their fonts and widths, for drawing.
    pub(crate) fn runs_to_draw<'t>(&self, weight: Weight, text: &'t str) -> Vec<Run<'t>> {
        self.runs(weight, text)
            .into_iter()
            .map(|(face, text)| {
                let glyphs = face.glyphs(text);
                Run {
                    font: face.pdf.clone(),
                    text,
                    advance_per_em: glyphs.iter().map(|glyph| glyph.x_advance).sum(),
                    glyphs,
                }
            })
            .collect()
    }

    /// How wide `text` is, in points, at `size` points.
    pub(crate) fn width(&self, weight: Weight, size: f32, text: &str) -> f32 {
        let key = (weight, text.to_owned());
        if let Some(per_em) = self.widths.borrow().get(&key) {
            return per_em * size;
        }
        let per_em: f32 = self
            .runs(weight, text)
            .into_iter()
            .map(|(face, text)| face.advance_per_em(text))
            .sum();
        self.widths.borrow_mut().insert(key, per_em);
        per_em * size
    }

    /// The height above the baseline of the tallest letters, as a fraction of the size.
    pub(crate) fn ascent(&self) -> f32 {
        f32::from(self.regular.shaper.ascender()) / self.regular.units_per_em
    }

    /// The depth below the baseline of the lowest letters, as a fraction of the size.
    pub(crate) fn descent(&self) -> f32 {
        -f32::from(self.regular.shaper.descender()) / self.regular.units_per_em
    }

    /// The characters of `text` that the fonts cannot draw (they would print as empty
    /// boxes), each once, in the order they first appear.
    pub(crate) fn missing_characters(&self, text: &str) -> Vec<char> {
        let mut missing = Vec::new();
        for character in text.chars() {
            if character.is_whitespace() || character.is_control() {
                continue;
            }
            let drawable = (self.regular.has(character) && self.bold.has(character))
                || self.math.has(character);
            if !drawable && !missing.contains(&character) {
                missing.push(character);
            }
        }
        missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_fonts_load_and_measure() {
        let fonts = Fonts::load().unwrap();
        let narrow = fonts.width(Weight::Regular, 10.0, "iiii");
        let wide = fonts.width(Weight::Regular, 10.0, "WWWW");
        assert!(narrow > 0.0 && wide > narrow * 2.0, "{narrow} {wide}");
        assert!(
            fonts.width(Weight::Bold, 10.0, "Hello") > fonts.width(Weight::Regular, 10.0, "Hello")
        );
        assert!(
            (fonts.width(Weight::Regular, 20.0, "Hello")
                - 2.0 * fonts.width(Weight::Regular, 10.0, "Hello"))
            .abs()
                < 0.01
        );
    }

    #[test]
    fn names_in_latin_vietnamese_greek_and_cyrillic_can_be_drawn() {
        let fonts = Fonts::load().unwrap();
        for name in [
            "Zoë Ångström",
            "Nguyễn Thị Hương",
            "Łukasz Żółć",
            "Şebnem Çağlar",
            "Dvořák Ħ Œ ß",
            "Ελένη Παπαδοπούλου",
            "Мария Иванова",
            "µL ² § ± ≥ ≤ → − × ½ – — · € “ ” …",
        ] {
            assert_eq!(fonts.missing_characters(name), Vec::<char>::new(), "{name}");
        }
        assert_eq!(fonts.missing_characters("王 明 王"), vec!['王', '明']);
    }

    #[test]
    fn a_sign_the_font_lacks_is_drawn_from_the_math_face_and_measured_there() {
        let fonts = Fonts::load().unwrap();
        let runs = fonts.runs_to_draw(Weight::Bold, "SPF ≥ 30 → ok");
        let texts: Vec<&str> = runs.iter().map(|run| run.text).collect();
        assert_eq!(texts, vec!["SPF ", "≥ ", "30 ", "→ ", "ok"]);
        let total: f32 = runs.iter().map(|run| run.advance_per_em).sum();
        assert!((fonts.width(Weight::Bold, 10.0, "SPF ≥ 30 → ok") - total * 10.0).abs() < 0.01);
        assert_eq!(fonts.runs_to_draw(Weight::Regular, "Zoë Ångström").len(), 1);
    }
}
