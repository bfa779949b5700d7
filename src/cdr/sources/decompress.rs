//! Compressed inputs, told apart by their first bytes (never by name) and decoded as streams
//! with pure-Rust decoders, so time stays linear in the decompressed size and decoder memory
//! is bounded whatever the input claims.

use std::io::{BufRead, Read};

/// How an input's bytes are packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    Plain,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    /// A zip archive (needs the whole file: its directory is at the end).
    Zip,
}

/// The largest xz dictionary accepted: real CDR files never need more; a hostile header
/// asking for gigabytes is refused instead of allocated.
const XZ_MEM_LIMIT_KIB: u32 = 256 * 1024;
/// The largest zstd window accepted (the library's default limit is also its safe one).
const ZSTD_MAX_WINDOW: u64 = 128 << 20;

impl Packing {
    pub fn detect(head: &[u8]) -> Packing {
        if head.starts_with(&[0x1f, 0x8b]) {
            Packing::Gzip
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
            Packing::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Packing::Xz
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Packing::Zstd
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Packing::Zip
        } else {
            Packing::Plain
        }
    }

    /// A label for reports: `gzip`, `xz`, ...; empty for plain.
    pub fn label(self) -> &'static str {
        match self {
            Packing::Plain => "",
            Packing::Gzip => "gzip",
            Packing::Bzip2 => "bzip2",
            Packing::Xz => "xz",
            Packing::Zstd => "zstd",
            Packing::Zip => "zip",
        }
    }

    /// Wraps a stream in its decoder. Zip is not a stream: it is opened as an archive.
    pub fn decoder<'a, R: BufRead + 'a>(self, r: R) -> std::io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Packing::Plain => Box::new(r),
            Packing::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
            Packing::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(r)),
            Packing::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(r, true, XZ_MEM_LIMIT_KIB)),
            Packing::Zstd => Box::new(ZstdFrames::new(r)?),
            Packing::Zip => {
                return Err(std::io::Error::other(
                    "a zip archive cannot be read as a stream (from standard input): unzip it first, or name the file",
                ));
            }
        })
    }
}

/// A zstd stream of one or more frames, decoded one frame after another.
struct ZstdFrames<R: BufRead> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(r: R) -> std::io::Result<Self> {
        let d = ruzstd::decoding::StreamingDecoder::new_with_max_window_size(r, ZSTD_MAX_WINDOW)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("zstd: {e}")))?;
        Ok(ZstdFrames { decoder: Some(d) })
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let Some(d) = self.decoder.as_mut() else { return Ok(0) };
            let n = d.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The frame ended: another may follow.
            let mut inner = self.decoder.take().map(|d| d.into_inner());
            let more = match inner.as_mut() {
                Some(r) => !r.fill_buf()?.is_empty(),
                None => false,
            };
            match inner {
                Some(r) if more => {
                    let d = ruzstd::decoding::StreamingDecoder::new_with_max_window_size(r, ZSTD_MAX_WINDOW)
                        .map_err(|e| {
                            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("zstd: {e}"))
                        })?;
                    self.decoder = Some(d);
                }
                _ => return Ok(0),
            }
        }
    }
}

/// True when decompressed data is a tar archive (`ustar` at offset 257): never read as text.
pub fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn roundtrip(p: Packing, packed: &[u8]) -> Vec<u8> {
        assert_eq!(Packing::detect(packed), p);
        let mut out = Vec::new();
        p.decoder(std::io::BufReader::new(packed)).expect("decoder").read_to_end(&mut out).expect("decode");
        out
    }

    #[test]
    fn every_packing_decodes() {
        let text = b"a|b|c\n".repeat(1000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).expect("gz");
        assert_eq!(roundtrip(Packing::Gzip, &gz.finish().expect("gz")), text);
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&text).expect("bz");
        assert_eq!(roundtrip(Packing::Bzip2, &bz.finish().expect("bz")), text);
        let mut xz =
            lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).expect("xz");
        xz.write_all(&text).expect("xz");
        assert_eq!(roundtrip(Packing::Xz, &xz.finish().expect("xz")), text);
        // Two zstd frames back to back.
        let mut zs =
            ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest);
        zs.extend(ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest));
        assert_eq!(roundtrip(Packing::Zstd, &zs), [text.clone(), text].concat());
        assert_eq!(Packing::detect(b"PK\x03\x04rest"), Packing::Zip);
        assert_eq!(Packing::detect(b"callerE164|"), Packing::Plain);
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_hang() {
        let mut bad = vec![0xfd, b'7', b'z', b'X', b'Z', 0];
        bad.extend(std::iter::repeat_n(0x55u8, 4096));
        let mut out = Vec::new();
        let r =
            Packing::Xz.decoder(std::io::BufReader::new(&bad[..])).expect("decoder").read_to_end(&mut out);
        assert!(r.is_err());
    }
}
