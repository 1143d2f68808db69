//! The fonts every PDF is set in, shipped with the app so a handout looks the same on
//! every desk: Noto Sans regular and bold (SIL Open Font License, `assets/fonts/OFL.txt`),
//! which cover Latin with its accents (Vietnamese included), Greek and Cyrillic; Noto
//! Sans Math for the signs Noto Sans lacks (≥, →, −); Noto Sans Arabic, Hebrew,
//! Devanagari and Thai for names in those scripts; and Droid Sans Fallback (Apache
//! License 2.0, `assets/fonts/LICENSE-Apache-2.0.txt`) for Chinese and Japanese names,
//! in one weight. Korean syllables are not covered (that font has only the jamo): a
//! Korean name is refused with a message, never printed as boxes.
//!
//! Text is shaped once, with harfrust (the shaper egui uses too), and the PDF writer
//! draws those very glyphs, so a line that is measured to fit is the line that is drawn. A run in a right-to-left
//! script is shaped right to left as a whole, so a name in Arabic or Hebrew reads
//! correctly inside a left-to-right line.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use harfrust::{
    Direction, FontRef, GlyphBuffer, Script, ShapeOptions, ShapePlan, ShaperData, UnicodeBuffer,
};
use skrifa::MetadataProvider as _;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use unicode_segmentation::UnicodeSegmentation as _;

use super::ExportError;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
static MATH: &[u8] = include_bytes!("../../assets/fonts/NotoSansMath-Regular.ttf");
static CJK: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf");

/// Noto Sans regular, for the captions drawn into a pair of photographs.
pub(crate) fn regular_font_bytes() -> &'static [u8] {
    REGULAR
}

/// The faces for other scripts, in both weights: (name, regular, bold).
static SCRIPTS: [(&str, &[u8], &[u8]); 4] = [
    (
        "Noto Sans Arabic",
        include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf"),
        include_bytes!("../../assets/fonts/NotoSansArabic-Bold.ttf"),
    ),
    (
        "Noto Sans Hebrew",
        include_bytes!("../../assets/fonts/NotoSansHebrew-Regular.ttf"),
        include_bytes!("../../assets/fonts/NotoSansHebrew-Bold.ttf"),
    ),
    (
        "Noto Sans Devanagari",
        include_bytes!("../../assets/fonts/NotoSansDevanagari-Regular.ttf"),
        include_bytes!("../../assets/fonts/NotoSansDevanagari-Bold.ttf"),
    ),
    (
        "Noto Sans Thai",
        include_bytes!("../../assets/fonts/NotoSansThai-Regular.ttf"),
        include_bytes!("../../assets/fonts/NotoSansThai-Bold.ttf"),
    ),
];

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    /// Body text.
    Regular,
    /// Headings, dates and labels.
    Bold,
}

/// The shaping plans of a face made so far, one per direction and script: making one is
/// the slow part of shaping.
type Plans = Mutex<Vec<(Direction, Script, Arc<ShapePlan>)>>;

/// One face: what the PDF embeds and what measures text.
struct Face {
    pdf: krilla::text::Font,
    font: FontRef<'static>,
    /// Which characters the face has, made once: making it looks up the font's tables.
    charmap: Charmap<'static>,
    shaper: ShaperData,
    units_per_em: f32,
    ascent: f32,
    descent: f32,
    plans: Plans,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Self, &'static str> {
        let font = FontRef::new(data).map_err(|_| name)?;
        let pdf = krilla::text::Font::new(krilla::Data::from(data), 0).ok_or(name)?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        Ok(Face {
            pdf,
            charmap: font.charmap(),
            shaper: ShaperData::new(&font),
            units_per_em: f32::from(metrics.units_per_em),
            ascent: metrics.ascent,
            descent: metrics.descent,
            font,
            plans: Plans::default(),
        })
    }

    fn has(&self, character: char) -> bool {
        self.charmap.map(character).is_some()
    }

    /// Shapes `text` with a plan made once per direction and script.
    fn shape(&self, text: &str) -> GlyphBuffer {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let (direction, script) = (buffer.direction(), buffer.script());
        let shaper = self.shaper.shaper(&self.font).build();
        let plan = {
            // A panic elsewhere while the list was held leaves it whole: plans are only
            // ever added.
            let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
            let known = plans
                .iter()
                .find(|(d, s, _)| *d == direction && *s == script)
                .map(|(_, _, plan)| Arc::clone(plan));
            known.unwrap_or_else(|| {
                let plan = Arc::new(ShapePlan::new(&shaper, direction, Some(script), None, &[]));
                plans.push((direction, script, Arc::clone(&plan)));
                plan
            })
        };
        shaper.shape(buffer, ShapeOptions::new().plan(Some(&plan)))
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
        // A glyph draws the text from its cluster to the next cluster in the text; in a
        // right-to-left run the glyphs come in the opposite order to the text.
        let mut clusters: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
        clusters.sort_unstable();
        clusters.dedup();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (info, position) in infos.iter().zip(positions) {
            let start = info.cluster as usize;
            let end = clusters
                .get(clusters.partition_point(|cluster| *cluster <= start))
                .copied()
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

/// The faces every document uses, read once per process: parsing the fonts (and the
/// PDF writer's hash of each, several megabytes for Chinese and Japanese) is the slow
/// part of opening them.
struct Faces {
    regular: Face,
    bold: Face,
    /// For characters neither weight has; its signs serve both weights.
    math: Face,
    /// Other scripts in the regular weight, in the order of [`SCRIPTS`].
    scripts_regular: Vec<Face>,
    /// The same in bold.
    scripts_bold: Vec<Face>,
    /// Chinese and Japanese, in one weight for both.
    cjk: Face,
}

/// The faces, once read; or the name of the shipped font that could not be read.
static FACES: OnceLock<Result<Faces, &'static str>> = OnceLock::new();

impl Faces {
    fn load() -> Result<Self, &'static str> {
        Ok(Faces {
            regular: Face::load(REGULAR, "Noto Sans Regular")?,
            bold: Face::load(BOLD, "Noto Sans Bold")?,
            math: Face::load(MATH, "Noto Sans Math")?,
            scripts_regular: SCRIPTS
                .iter()
                .map(|(name, regular, _)| Face::load(regular, name))
                .collect::<Result<_, _>>()?,
            scripts_bold: SCRIPTS
                .iter()
                .map(|(name, _, bold)| Face::load(bold, name))
                .collect::<Result<_, _>>()?,
            cjk: Face::load(CJK, "Droid Sans Fallback")?,
        })
    }
}

/// The shipped faces as one document uses them, with the widths it measured: a plan
/// repeats the same words many times.
pub(crate) struct Fonts {
    faces: &'static Faces,
    /// Widths already measured, per em.
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
    /// The shipped fonts, read on first use and then shared by every document.
    ///
    /// # Errors
    /// Only if a shipped font file is damaged, which a test rules out.
    pub(crate) fn load() -> Result<Self, ExportError> {
        let faces = FACES
            .get_or_init(Faces::load)
            .as_ref()
            .map_err(|name| ExportError::Font { name })?;
        Ok(Fonts {
            faces,
            widths: std::cell::RefCell::default(),
        })
    }

    fn face(&self, weight: Weight) -> &'static Face {
        match weight {
            Weight::Regular => &self.faces.regular,
            Weight::Bold => &self.faces.bold,
        }
    }

    /// The faces that draw what the weight's own face lacks, in the order they are
    /// tried.
    fn fallbacks(&self, weight: Weight) -> impl Iterator<Item = &'static Face> {
        let faces = self.faces;
        let scripts = match weight {
            Weight::Regular => &faces.scripts_regular,
            Weight::Bold => &faces.scripts_bold,
        };
        std::iter::once(&faces.math)
            .chain(scripts)
            .chain(std::iter::once(&faces.cjk))
    }

    /// The face that draws a character in a weight: its own when it has it, else the
    /// first fallback that does (else its own, which draws an empty box; exports check
    /// for that first).
    fn face_for(&self, weight: Weight, character: char) -> &'static Face {
        let own = self.face(weight);
        if own.has(character) {
            return own;
        }
        self.fallbacks(weight)
            .find(|face| face.has(character))
            .unwrap_or(own)
    }

    /// The text cut where it changes face: the weight's own face, or a fallback for a
    /// sign or script the weight lacks. A letter is never cut: the face is chosen per
    /// grapheme cluster (a base with its accents, a letter with its vowel signs), by
    /// its first character. Spaces between words of one face stay in the run they
    /// follow; spaces after a fallback's run go to the next run (a name in a
    /// right-to-left script would otherwise carry its trailing space to its left end).
    fn runs<'t>(&self, weight: Weight, text: &'t str) -> Vec<(&Face, &'t str)> {
        let own = self.face(weight);
        let mut runs: Vec<(&Face, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<&Face> = None;
        for (index, letter) in text.grapheme_indices(true) {
            let first = letter.chars().next().unwrap_or(' ');
            let joins = first.is_whitespace();
            let face = if joins {
                current.unwrap_or(own)
            } else {
                self.face_for(weight, first)
            };
            // A fallback's run gives up its trailing spaces when another face follows.
            if !joins
                && let Some(previous) = current
                && !std::ptr::eq(previous, face)
                && !std::ptr::eq(previous, own)
            {
                let run = &text[start..index];
                let kept = run.trim_end_matches(char::is_whitespace).len();
                if kept > 0 && kept < run.len() {
                    runs.push((previous, &run[..kept]));
                    start += kept;
                    current = Some(own);
                }
            }
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
        self.faces.regular.ascent / self.faces.regular.units_per_em
    }

    /// The depth below the baseline of the lowest letters, as a fraction of the size.
    pub(crate) fn descent(&self) -> f32 {
        -self.faces.regular.descent / self.faces.regular.units_per_em
    }

    /// The characters of `text` that the fonts cannot draw (they would print as empty
    /// boxes), each once, in the order they first appear.
    pub(crate) fn missing_characters(&self, text: &str) -> Vec<char> {
        let mut missing = Vec::new();
        for character in text.chars() {
            if character.is_whitespace() || character.is_control() {
                continue;
            }
            let drawable = [Weight::Regular, Weight::Bold]
                .into_iter()
                .all(|weight| self.face_for(weight, character).has(character));
            if !drawable && !missing.contains(&character) {
                missing.push(character);
            }
        }
        missing
    }
}

#[cfg(test)]
mod tests {
    use krilla::text::Glyph as _;

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
    fn names_in_many_scripts_can_be_drawn() {
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
            "فاطمة الزهراء",
            "דוד לוי",
            "अनन्या शर्मा",
            "สมชาย ใจดี",
            "王芳",
            "佐藤 さくら カタカナ",
        ] {
            assert_eq!(fonts.missing_characters(name), Vec::<char>::new(), "{name}");
        }
        // Ethiopic and Korean syllables are not among the shipped fonts.
        assert_eq!(
            fonts.missing_characters("አበበ ቢቂላ አ"),
            vec!['አ', 'በ', 'ቢ', 'ቂ', 'ላ']
        );
        assert_eq!(fonts.missing_characters("김민준"), vec!['김', '민', '준']);
    }

    #[test]
    fn a_right_to_left_name_is_one_run_and_every_glyph_names_its_letters() {
        let fonts = Fonts::load().unwrap();
        let line = "Patient: فاطمة الزهراء (born 1980)";
        let runs = fonts.runs_to_draw(Weight::Regular, line);
        let texts: Vec<&str> = runs.iter().map(|run| run.text).collect();
        assert_eq!(texts, vec!["Patient: ", "فاطمة الزهراء", " (born 1980)"]);
        for run in &runs {
            let mut covered = vec![false; run.text.len()];
            for glyph in &run.glyphs {
                let range = glyph.text_range().clone();
                assert!(
                    range.start < range.end && range.end <= run.text.len(),
                    "{range:?} in {:?}",
                    run.text
                );
                covered[range].iter_mut().for_each(|byte| *byte = true);
            }
            assert!(covered.iter().all(|byte| *byte), "{:?}", run.text);
        }
        // Shaped right to left: the glyph drawn first (leftmost) is the name's last letter.
        let arabic = &runs[1];
        assert_eq!(
            arabic.glyphs.first().unwrap().text_range().end,
            arabic.text.len()
        );
        assert_eq!(arabic.glyphs.last().unwrap().text_range().start, 0);
        let total: f32 = runs.iter().map(|run| run.advance_per_em).sum();
        assert!((fonts.width(Weight::Regular, 10.0, line) - total * 10.0).abs() < 0.01);
    }

    #[test]
    fn a_sign_the_font_lacks_is_drawn_from_the_math_face_and_measured_there() {
        let fonts = Fonts::load().unwrap();
        let runs = fonts.runs_to_draw(Weight::Bold, "SPF ≥ 30 → ok");
        let texts: Vec<&str> = runs.iter().map(|run| run.text).collect();
        assert_eq!(texts, vec!["SPF ", "≥", " 30 ", "→", " ok"]);
        let total: f32 = runs.iter().map(|run| run.advance_per_em).sum();
        assert!((fonts.width(Weight::Bold, 10.0, "SPF ≥ 30 → ok") - total * 10.0).abs() < 0.01);
        assert_eq!(fonts.runs_to_draw(Weight::Regular, "Zoë Ångström").len(), 1);
    }
}
