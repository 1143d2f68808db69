//! A small seeded random number generator (SplitMix64): demo data must be the same for
//! the same seed on every machine and in every version of the dependencies, so it does
//! not come from a crate whose streams may change.

/// A stream of pseudo-random numbers; not for anything secret.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    /// The stream of one item (such as one patient) of a seeded run: items get
    /// independent streams, so they can be made in any order and on any thread.
    pub fn new(seed: u64, item: u64) -> Self {
        let mut rng = Rng(seed ^ item.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        // The high half of a 128-bit product: unbiased enough for made-up data.
        let wide = u128::from(self.next_u64()) * u128::from(n);
        usize::try_from(wide >> 64).unwrap_or(0)
    }

    /// A whole number from `low` to `high`, both included.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = usize::try_from(high - low).map_or(usize::MAX, |span| span.saturating_add(1));
        low + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True with the given chance, in percent.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One item of a list that must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// Ten random bytes, for the random part of an id.
    pub fn bytes10(&mut self) -> [u8; 10] {
        let first = self.next_u64().to_le_bytes();
        let second = self.next_u64().to_le_bytes();
        let mut bytes = [0; 10];
        bytes[..8].copy_from_slice(&first);
        bytes[8..].copy_from_slice(&second[..2]);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream_and_items_differ() {
        let first: Vec<u64> = (0..4).map(|_| Rng::new(7, 1).next_u64()).collect();
        assert!(first.iter().all(|value| *value == first[0]));
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
        let mut rng = Rng::new(7, 3);
        for _ in 0..1000 {
            let value = rng.between(-3, 5);
            assert!((-3..=5).contains(&value));
        }
    }
}
