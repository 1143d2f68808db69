//! What the app knows of a clinical photograph's bytes: whether they are a JPEG or a
//! PNG it reads, their size once the camera's orientation is applied, a small thumbnail,
//! and a copy without the location and camera metadata for the patient.
//!
//! Pure: bytes in, bytes or a refusal out. Every photograph may be hostile (a
//! decompression bomb, a truncated file, a file that only claims to be an image): the
//! header is checked against the limits before a pixel is decoded, and decoding runs
//! under a memory limit, so a refusal is quick and memory stays bounded.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The largest photograph file accepted, in bytes: far above a 24-megapixel JPEG
/// (about 8 to 15 MB).
pub const MAX_PHOTO_BYTES: u64 = 64 * 1024 * 1024;
/// The longest side accepted, in pixels.
pub const MAX_SIDE_PIXELS: u32 = 12_000;
/// The most pixels accepted: 60 megapixels, so that a 24-megapixel camera photo passes
/// and a bomb does not.
pub const MAX_PIXELS: u64 = 60_000_000;
/// The memory a decode may take, in bytes: 60 megapixels of 8-bit RGBA, with room for
/// the decoder's own buffers.
const MAX_DECODE_BYTES: u64 = 320 * 1024 * 1024;
/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE_PIXELS: u32 = 320;
/// The quality of a JPEG written for the patient, out of 100.
const EXPORT_JPEG_QUALITY: u8 = 92;

/// The kinds of photograph the app keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    /// A JPEG, as cameras and phones write.
    Jpeg,
    /// A PNG.
    Png,
}

impl PhotoFormat {
    /// The file name extension: `jpg` or `png`.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "jpg",
            PhotoFormat::Png => "png",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            PhotoFormat::Jpeg => ImageFormat::Jpeg,
            PhotoFormat::Png => ImageFormat::Png,
        }
    }
}

/// What the header of an accepted photograph says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoProbe {
    /// JPEG or PNG.
    pub format: PhotoFormat,
    /// The width as the photograph is shown, with the camera's orientation applied.
    pub width: u32,
    /// The height as shown.
    pub height: u32,
    /// The orientation tag's value (1 to 8; 1 when there is none).
    pub exif_orientation: u8,
}

/// Why a photograph was refused; nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoRefusal {
    /// The file is larger than any photograph the app keeps.
    #[error(
        "the file is {size} bytes, more than the {max} bytes a photograph may have; export a smaller JPEG from the camera or photo app"
    )]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// A HEIC or HEIF photo, as phones write by default.
    #[error(
        "this is a HEIC photo, which the app does not read; export it as JPEG from the phone or photo app (or set the camera to \"most compatible\") and add the JPEG"
    )]
    Heic,
    /// Another kind of file, or an image format the app does not keep.
    #[error("the file is not a JPEG or PNG photograph; export it as JPEG and add that")]
    NotAPhoto,
    /// The header claims more pixels than a photograph has: a decompression bomb or a
    /// damaged file.
    #[error(
        "the image claims {width} x {height} pixels, more than a clinical photograph has (at most {MAX_SIDE_PIXELS} pixels a side and {MAX_PIXELS} in all); it is refused unread"
    )]
    TooManyPixels {
        /// The width the header claims.
        width: u32,
        /// The height the header claims.
        height: u32,
    },
    /// The image could not be decoded: truncated or damaged.
    #[error(
        "the image cannot be read ({reason}); the file is truncated or damaged, copy it again from the camera"
    )]
    Damaged {
        /// What the decoder said.
        reason: String,
    },
}

/// The format the bytes start with, from their signature alone.
pub(crate) fn sniff(bytes: &[u8]) -> Result<PhotoFormat, PhotoRefusal> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(PhotoFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(PhotoFormat::Png);
    }
    // An ISO base media file ("....ftyp") of a HEIF brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1",
        ]
        .iter()
        .any(|known| brand == *known)
        {
            return Err(PhotoRefusal::Heic);
        }
    }
    Err(PhotoRefusal::NotAPhoto)
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PIXELS);
    limits.max_image_height = Some(MAX_SIDE_PIXELS);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn damaged(error: &image::ImageError) -> PhotoRefusal {
    PhotoRefusal::Damaged {
        reason: crate::untrusted::for_message(&error.to_string()),
    }
}

/// A decoder for the bytes, after the size, the signature and the header's claimed
/// dimensions were checked.
fn checked_decoder(bytes: &[u8]) -> Result<(PhotoFormat, impl ImageDecoder + '_), PhotoRefusal> {
    let size = bytes.len() as u64;
    if size > MAX_PHOTO_BYTES {
        return Err(PhotoRefusal::TooLarge {
            size,
            max: MAX_PHOTO_BYTES,
        });
    }
    let format = sniff(bytes)?;
    if format == PhotoFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoRefusal::Damaged {
            reason: "the JPEG ends before its image data does".to_owned(),
        });
    }
    // The claimed size first, with no limit but the header's own: a bomb is named as
    // one rather than as a decoder's limit error.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_dimensions()
        .map_err(|error| damaged(&error))?;
    if width > MAX_SIDE_PIXELS
        || height > MAX_SIDE_PIXELS
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(PhotoRefusal::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(|error| damaged(&error))?;
    Ok((format, decoder))
}

/// Whether a JPEG's image data ends as a JPEG ends: its segments are walked to the
/// start of the scan, and the end-of-image marker must follow it. A decoder fills a cut
/// file with grey rather than fail, and a cut photograph must not be kept as if whole.
/// (Inside the scan, a 0xFF byte of data is always followed by 0x00, so the marker
/// cannot be mistaken; an Exif thumbnail's own markers sit inside a segment skipped.)
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if marker == 0xDA {
            let scan = at + 2 + length;
            return bytes
                .get(scan..)
                .is_some_and(|rest| rest.windows(2).any(|pair| pair == [0xFF, 0xD9]));
        }
        at += 2 + length;
    }
    false
}

fn exif_number(orientation: Orientation) -> u8 {
    match orientation {
        Orientation::NoTransforms => 1,
        Orientation::FlipHorizontal => 2,
        Orientation::Rotate180 => 3,
        Orientation::FlipVertical => 4,
        Orientation::Rotate90FlipH => 5,
        Orientation::Rotate90 => 6,
        Orientation::Rotate270FlipH => 7,
        Orientation::Rotate270 => 8,
    }
}

/// Checks a photograph's header and says what it holds, without decoding its pixels.
///
/// # Errors
/// When the file is too large, not a JPEG or PNG (a HEIC photo is named as one), claims
/// more pixels than a photograph has, or its header cannot be read.
pub fn probe(bytes: &[u8]) -> Result<PhotoProbe, PhotoRefusal> {
    let (format, mut decoder) = checked_decoder(bytes)?;
    let (width, height) = decoder.dimensions();
    // A damaged orientation tag is no reason to refuse a photograph: it is shown as
    // stored.
    let exif_orientation = decoder.orientation().map_or(1, exif_number);
    let (width, height) = if exif_orientation >= 5 {
        (height, width)
    } else {
        (width, height)
    };
    Ok(PhotoProbe {
        format,
        width,
        height,
        exif_orientation,
    })
}

/// The day the camera says the photograph was taken: its Exif `DateTimeOriginal` (or,
/// without one, `DateTimeDigitized`), the date part only. `None` when the file has no
/// Exif block, no such tag, or one that is not a real date (cameras whose clock was
/// never set write "0000:00:00"); the physician then gives the day.
#[must_use]
pub fn exif_taken_date(bytes: &[u8]) -> Option<jiff::civil::Date> {
    if bytes.len() as u64 > MAX_PHOTO_BYTES || sniff(bytes).is_err() {
        return None;
    }
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    [exif::Tag::DateTimeOriginal, exif::Tag::DateTimeDigitized]
        .into_iter()
        .find_map(|tag| {
            let field = exif.get_field(tag, exif::In::PRIMARY)?;
            let exif::Value::Ascii(values) = &field.value else {
                return None;
            };
            values.first().and_then(|text| exif_date(text))
        })
}

/// "YYYY:MM:DD HH:MM:SS" (the Exif form), or the date alone, as a date.
fn exif_date(text: &[u8]) -> Option<jiff::civil::Date> {
    let text = std::str::from_utf8(text).ok()?;
    let day = text.get(..10)?;
    let mut parts = day.split(':');
    let year: i16 = parts.next()?.parse().ok()?;
    let month: i8 = parts.next()?.parse().ok()?;
    let day: i8 = parts.next()?.parse().ok()?;
    if year < 1900 {
        return None;
    }
    jiff::civil::Date::new(year, month, day).ok()
}

/// The whole photograph, decoded under the memory limit, turned as the camera meant.
///
/// # Errors
/// As [`probe`], and when the pixels cannot be decoded (a truncated file).
pub fn decode_oriented(bytes: &[u8]) -> Result<DynamicImage, PhotoRefusal> {
    let (_, mut decoder) = checked_decoder(bytes)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| damaged(&error))?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The photograph decoded at a reduced size, turned as the camera meant: its longer
/// side at least `side` pixels (or the photograph's own size when it is smaller), and
/// usually at most twice that.
///
/// A JPEG is decoded once, at an eighth, a quarter or half of its size, by scaling in
/// the decoder's inverse DCT: every block of the file is still read and checked, so a
/// damaged file is refused as surely as by a full decode, but a 24-megapixel photograph
/// takes a fraction of the time and of the memory. A PNG (and a rare JPEG kind the
/// scaled decoder does not produce, 16-bit or CMYK) is decoded whole under the memory
/// limit and then reduced.
///
/// # Errors
/// As [`decode_oriented`].
pub fn decode_reduced(bytes: &[u8], side: u32) -> Result<DynamicImage, PhotoRefusal> {
    let (format, mut decoder) = checked_decoder(bytes)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let scaled = if format == PhotoFormat::Jpeg {
        jpeg_scaled(bytes, side)?
    } else {
        None
    };
    let mut image = match scaled {
        Some(image) => image,
        None => DynamicImage::from_decoder(decoder).map_err(|error| damaged(&error))?,
    };
    image.apply_orientation(orientation);
    Ok(image)
}

/// A JPEG decoded at the smallest of 1/8, 1/4, 1/2 or full size that keeps a side of at
/// least `side` pixels; `None` for a kind the scaled decoder does not produce as 8-bit
/// grey or colour. The header was checked against the limits by the caller; the decoder
/// keeps its own memory limit too, and a panic inside it (hostile input reaching a bug)
/// is a refusal, never a crash.
fn jpeg_scaled(bytes: &[u8], side: u32) -> Result<Option<DynamicImage>, PhotoRefusal> {
    let jpeg_damaged = |reason: String| PhotoRefusal::Damaged {
        reason: crate::untrusted::for_message(&reason),
    };
    let request = u16::try_from(side).unwrap_or(u16::MAX);
    let decoded = std::panic::catch_unwind(|| -> Result<_, jpeg_decoder::Error> {
        let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
        decoder
            .set_max_decoding_buffer_size(usize::try_from(MAX_DECODE_BYTES).unwrap_or(usize::MAX));
        decoder.read_info()?;
        let Some(info) = decoder.info() else {
            return Ok(None);
        };
        let wanted = matches!(
            info.pixel_format,
            jpeg_decoder::PixelFormat::RGB24 | jpeg_decoder::PixelFormat::L8
        ) && info.coding_process != jpeg_decoder::CodingProcess::Lossless;
        if !wanted {
            return Ok(None);
        }
        let (width, height) = decoder.scale(request, request)?;
        let pixels = decoder.decode()?;
        Ok(Some((
            info.pixel_format,
            u32::from(width),
            u32::from(height),
            pixels,
        )))
    });
    let decoded = match decoded {
        Ok(Ok(decoded)) => decoded,
        Ok(Err(error)) => return Err(jpeg_damaged(error.to_string())),
        Err(_) => return Err(jpeg_damaged("the JPEG decoder stopped on it".to_owned())),
    };
    let Some((format, width, height, pixels)) = decoded else {
        return Ok(None);
    };
    let short = || jpeg_damaged("the JPEG decoder gave fewer pixels than the image has".to_owned());
    let image = if format == jpeg_decoder::PixelFormat::RGB24 {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(width, height, pixels).ok_or_else(short)?)
    } else {
        DynamicImage::ImageLuma8(
            image::GrayImage::from_raw(width, height, pixels).ok_or_else(short)?,
        )
    };
    Ok(Some(image))
}

/// A PNG thumbnail of the photograph, its longest side [`THUMBNAIL_SIDE_PIXELS`],
/// turned as the camera meant, made from one reduced decode ([`decode_reduced`]). The
/// same photograph always gives the same bytes.
///
/// # Errors
/// As [`decode_oriented`].
pub fn thumbnail_png(bytes: &[u8]) -> Result<Vec<u8>, PhotoRefusal> {
    let image = decode_reduced(bytes, THUMBNAIL_SIDE_PIXELS)?;
    let small = image.thumbnail(THUMBNAIL_SIDE_PIXELS, THUMBNAIL_SIDE_PIXELS);
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(small.to_rgb8())
        .write_with_encoder(PngEncoder::new(&mut out))
        .map_err(|error| damaged(&error))?;
    Ok(out)
}

/// Whether `png` can be the thumbnail of a photograph that `probe` describes: it
/// decodes whole as a PNG, no side longer than [`THUMBNAIL_SIDE_PIXELS`], with the
/// photograph's shape (its sides in the same proportion, to a pixel). A thumbnail cache
/// of the desk's own is checked so, never trusted further.
pub(crate) fn thumbnail_fits(png: &[u8], probe: &PhotoProbe) -> bool {
    let reader = || ImageReader::with_format(Cursor::new(png), ImageFormat::Png);
    let Ok((width, height)) = reader().into_dimensions() else {
        return false;
    };
    if width == 0 || height == 0 || width > THUMBNAIL_SIDE_PIXELS || height > THUMBNAIL_SIDE_PIXELS
    {
        return false;
    }
    let (pw, ph) = (u64::from(probe.width), u64::from(probe.height));
    let skew = (u64::from(width) * ph).abs_diff(u64::from(height) * pw);
    if skew > pw.max(ph) {
        return false;
    }
    let mut reader = reader();
    reader.limits(limits());
    reader.decode().is_ok()
}

/// The photograph for the patient: its pixels, turned as the camera meant, written
/// again in its own format, so that no metadata of the original (location, camera,
/// dates, thumbnails, comments) is carried over.
///
/// # Errors
/// As [`decode_oriented`].
pub fn without_metadata(bytes: &[u8]) -> Result<(PhotoFormat, Vec<u8>), PhotoRefusal> {
    let format = sniff(bytes)?;
    let image = decode_oriented(bytes)?;
    let mut out = Vec::new();
    let written = match format {
        PhotoFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, EXPORT_JPEG_QUALITY)),
        PhotoFormat::Png => image.write_with_encoder(PngEncoder::new(&mut out)),
    };
    written.map_err(|error| damaged(&error))?;
    Ok((format, out))
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Photographs made in the tests: no real patient is in the repository.

    use image::{Rgb, RgbImage};

    use super::*;

    /// A JPEG of `width` x `height`, its left half red and right half blue, with an
    /// EXIF block that holds `orientation` and, when `gps`, a location and a camera.
    pub(crate) fn jpeg(width: u32, height: u32, orientation: Option<u16>, gps: bool) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([220, 30, 30])
            } else {
                Rgb([30, 30, 220])
            }
        });
        let mut plain = Vec::new();
        DynamicImage::ImageRgb8(image)
            .write_with_encoder(JpegEncoder::new_with_quality(&mut plain, 90))
            .unwrap();
        match (orientation, gps) {
            (None, false) => plain,
            _ => with_exif(&plain, &exif_block(orientation, gps)),
        }
    }

    /// An APP1 Exif block (little-endian TIFF) with the orientation and, when `gps`,
    /// the camera's make and a GPS pointer with a latitude reference.
    fn exif_block(orientation: Option<u16>, gps: bool) -> Vec<u8> {
        let mut entries: Vec<(u16, u16, u32, [u8; 4])> = Vec::new();
        if let Some(value) = orientation {
            let mut bytes = [0u8; 4];
            bytes[..2].copy_from_slice(&value.to_le_bytes());
            entries.push((0x0112, 3, 1, bytes));
        }
        if gps {
            entries.push((0x010F, 2, 4, *b"Cam\0"));
            entries.push((0x8825, 4, 1, [0; 4]));
        }
        let count = u16::try_from(entries.len()).unwrap();
        let ifd_end = 8 + 2 + 12 * u32::from(count) + 4;
        let mut tiff = b"II*\0".to_vec();
        tiff.extend_from_slice(&8u32.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        for (tag, kind, n, mut value) in entries {
            if tag == 0x8825 {
                value = ifd_end.to_le_bytes();
            }
            tiff.extend_from_slice(&tag.to_le_bytes());
            tiff.extend_from_slice(&kind.to_le_bytes());
            tiff.extend_from_slice(&n.to_le_bytes());
            tiff.extend_from_slice(&value);
        }
        tiff.extend_from_slice(&0u32.to_le_bytes());
        if gps {
            // The GPS IFD: latitude reference "N".
            tiff.extend_from_slice(&1u16.to_le_bytes());
            tiff.extend_from_slice(&1u16.to_le_bytes());
            tiff.extend_from_slice(&2u16.to_le_bytes());
            tiff.extend_from_slice(&2u32.to_le_bytes());
            tiff.extend_from_slice(b"N\0\0\0");
            tiff.extend_from_slice(&0u32.to_le_bytes());
        }
        let mut block = b"Exif\0\0".to_vec();
        block.extend_from_slice(&tiff);
        block
    }

    /// The JPEG with an APP1 segment holding `exif` right after its start marker.
    fn with_exif(jpeg: &[u8], exif: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(exif);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// A JPEG of `width` x `height` whose Exif block says it was taken at `when`
    /// ("YYYY:MM:DD HH:MM:SS"), in the Exif sub-directory where cameras write it.
    pub(crate) fn jpeg_taken(width: u32, height: u32, when: &str) -> Vec<u8> {
        let plain = jpeg(width, height, None, false);
        // IFD0 at 8: one entry, the pointer to the Exif IFD (at 26).
        // Exif IFD at 26: one entry, DateTimeOriginal, ASCII, 20 bytes at 44.
        let mut text = when.as_bytes().to_vec();
        text.push(0);
        let count = u32::try_from(text.len()).unwrap();
        let mut tiff = b"II*\0".to_vec();
        tiff.extend_from_slice(&8u32.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x8769u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&26u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), 26);
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x9003u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&44u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), 44);
        tiff.extend_from_slice(&text);
        let mut block = b"Exif\0\0".to_vec();
        block.extend_from_slice(&tiff);
        with_exif(&plain, &block)
    }

    /// A PNG whose header claims `width` x `height` pixels but holds almost no data.
    pub(crate) fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut small = Vec::new();
        DynamicImage::ImageRgb8(RgbImage::new(4, 4))
            .write_with_encoder(PngEncoder::new(&mut small))
            .unwrap();
        // The IHDR chunk starts at byte 8: length (4), "IHDR" (4), width, height, ...
        let mut bomb = small.clone();
        bomb[16..20].copy_from_slice(&width.to_be_bytes());
        bomb[20..24].copy_from_slice(&height.to_be_bytes());
        // The chunk's CRC covers its type and data.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        bomb
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
        !crc
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{jpeg, jpeg_taken, png_claiming};
    use super::*;

    #[test]
    fn the_day_taken_is_read_from_the_camera_s_exif() {
        let photo = jpeg_taken(64, 48, "2027:03:02 10:15:00");
        assert_eq!(exif_taken_date(&photo), Some("2027-03-02".parse().unwrap()));
        assert!(probe(&photo).is_ok());
        assert_eq!(
            exif_taken_date(&jpeg_taken(64, 48, "0000:00:00 00:00:00")),
            None
        );
        assert_eq!(
            exif_taken_date(&jpeg_taken(64, 48, "2027:02:30 10:15:00")),
            None
        );
        assert_eq!(exif_taken_date(&jpeg(64, 48, Some(6), true)), None);
        assert_eq!(exif_taken_date(b"not a photograph"), None);
        // The copy for the patient does not carry the date either.
        let (_, copy) = without_metadata(&photo).unwrap();
        assert_eq!(exif_taken_date(&copy), None);
    }

    #[test]
    fn a_jpeg_turned_by_its_camera_is_measured_and_shown_turned() {
        let photo = jpeg(64, 32, Some(6), false);
        let probe = probe(&photo).unwrap();
        assert_eq!(
            probe,
            PhotoProbe {
                format: PhotoFormat::Jpeg,
                width: 32,
                height: 64,
                exif_orientation: 6,
            }
        );
        let image = decode_oriented(&photo).unwrap().to_rgb8();
        assert_eq!((image.width(), image.height()), (32, 64));
        // Rotated 90 degrees clockwise: the red left half is now on top.
        let top = image.get_pixel(16, 4);
        let bottom = image.get_pixel(16, 60);
        assert!(top[0] > 150 && top[2] < 100, "{top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{bottom:?}");
    }

    #[test]
    fn a_thumbnail_is_small_turned_and_the_same_every_time() {
        let photo = jpeg(1200, 800, Some(6), false);
        let first = thumbnail_png(&photo).unwrap();
        assert_eq!(first, thumbnail_png(&photo).unwrap());
        let probe = probe(&first).unwrap();
        assert_eq!((probe.width, probe.height), (213, 320));
    }

    #[test]
    fn a_cached_thumbnail_fits_only_its_photograph_shape() {
        for (width, height, orientation) in [(1200, 800, Some(6)), (90, 60, None), (64, 64, None)] {
            let photo = jpeg(width, height, orientation, false);
            let shape = probe(&photo).unwrap();
            let made = thumbnail_png(&photo).unwrap();
            assert!(thumbnail_fits(&made, &shape), "{width}x{height}");
            // The thumbnail of a photograph of another shape, a cut one, the original
            // itself (too large, and a JPEG) and bytes that are no picture do not fit.
            let other = thumbnail_png(&jpeg(height * 2, width, None, false)).unwrap();
            assert!(!thumbnail_fits(&other, &shape), "{width}x{height}");
            assert!(!thumbnail_fits(&made[..made.len() / 2], &shape));
            assert!(!thumbnail_fits(&photo, &shape));
            assert!(!thumbnail_fits(b"not a thumbnail", &shape));
        }
    }

    #[test]
    fn a_large_jpeg_is_reduced_in_one_decode_turned_and_in_its_colours() {
        let photo = jpeg(3000, 2000, Some(6), false);
        let reduced = decode_reduced(&photo, THUMBNAIL_SIDE_PIXELS)
            .unwrap()
            .to_rgb8();
        // An eighth of 3000 x 2000, turned: 250 x 375, at least 320 on its long side.
        assert_eq!((reduced.width(), reduced.height()), (250, 375));
        let top = reduced.get_pixel(125, 20);
        let bottom = reduced.get_pixel(125, 355);
        assert!(top[0] > 150 && top[2] < 100, "{top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{bottom:?}");
        let thumbnail = probe(&thumbnail_png(&photo).unwrap()).unwrap();
        assert_eq!((thumbnail.width, thumbnail.height), (213, 320));
        // A photograph smaller than asked for is decoded at its own size.
        let small = decode_reduced(&jpeg(100, 60, None, false), 320).unwrap();
        assert_eq!((small.width(), small.height()), (100, 60));
    }

    #[test]
    fn a_grey_jpeg_and_a_png_make_thumbnails_too() {
        let grey = image::GrayImage::from_fn(900, 600, |x, _| {
            image::Luma([u8::try_from(x % 200).unwrap()])
        });
        let mut bytes = Vec::new();
        DynamicImage::ImageLuma8(grey.clone())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
            .unwrap();
        let made = probe(&thumbnail_png(&bytes).unwrap()).unwrap();
        assert_eq!((made.width, made.height), (320, 213));
        let mut png = Vec::new();
        DynamicImage::ImageLuma8(grey)
            .write_with_encoder(PngEncoder::new(&mut png))
            .unwrap();
        let made = probe(&thumbnail_png(&png).unwrap()).unwrap();
        assert_eq!((made.width, made.height), (320, 213));
    }

    #[test]
    fn the_copy_for_the_patient_has_no_location_or_camera() {
        let photo = jpeg(64, 48, Some(1), true);
        assert!(photo.windows(4).any(|w| w == b"Exif"));
        let (format, copy) = without_metadata(&photo).unwrap();
        assert_eq!(format, PhotoFormat::Jpeg);
        assert!(!copy.windows(4).any(|w| w == b"Exif"), "EXIF kept");
        assert!(!copy.windows(3).any(|w| w == b"Cam"), "camera kept");
        let probe = probe(&copy).unwrap();
        assert_eq!((probe.width, probe.height), (64, 48));
    }

    #[test]
    fn the_copy_for_the_patient_keeps_the_turn_in_its_pixels() {
        let photo = jpeg(64, 32, Some(6), true);
        let (_, copy) = without_metadata(&photo).unwrap();
        let probe = probe(&copy).unwrap();
        assert_eq!(
            (probe.width, probe.height, probe.exif_orientation),
            (32, 64, 1)
        );
    }

    #[test]
    fn bad_input_is_refused_in_one_sentence() {
        let bomb = png_claiming(50_000, 50_000);
        assert_eq!(
            probe(&bomb),
            Err(PhotoRefusal::TooManyPixels {
                width: 50_000,
                height: 50_000
            })
        );
        assert_eq!(
            thumbnail_png(&bomb),
            Err(PhotoRefusal::TooManyPixels {
                width: 50_000,
                height: 50_000
            })
        );
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic");
        heic.extend_from_slice(&[0; 16]);
        assert_eq!(probe(&heic), Err(PhotoRefusal::Heic));
        assert_eq!(probe(b"%PDF-1.7 not a photo"), Err(PhotoRefusal::NotAPhoto));
        assert_eq!(probe(b""), Err(PhotoRefusal::NotAPhoto));
        let photo = jpeg(640, 480, None, false);
        let truncated = &photo[..photo.len() / 2];
        assert!(
            matches!(probe(truncated), Err(PhotoRefusal::Damaged { .. })),
            "{:?}",
            decode_oriented(truncated).map(|image| image.width())
        );
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 200, |x, y| {
            image::Rgb([
                u8::try_from(x % 256).unwrap(),
                u8::try_from(y % 256).unwrap(),
                7,
            ])
        }))
        .write_with_encoder(PngEncoder::new(&mut png))
        .unwrap();
        assert!(probe(&png).is_ok());
        assert!(matches!(
            decode_oriented(&png[..png.len() / 2]),
            Err(PhotoRefusal::Damaged { .. })
        ));
        let huge = vec![0xFF; usize::try_from(MAX_PHOTO_BYTES).unwrap() + 1];
        assert!(matches!(probe(&huge), Err(PhotoRefusal::TooLarge { .. })));
        for refusal in [
            probe(&bomb).unwrap_err(),
            probe(&heic).unwrap_err(),
            probe(&huge).unwrap_err(),
        ] {
            let sentence = refusal.to_string();
            assert_eq!(sentence.matches(". ").count(), 0, "{sentence}");
        }
    }
}
