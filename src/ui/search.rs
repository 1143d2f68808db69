//! Search as you type over many rows: each row carries its lowercase text once, and a
//! query keeps the rows in which every word appears, in any order.

/// Rows, the text each is found by, and the rows the last query matched.
#[derive(Debug, Clone)]
pub struct Searchable<T> {
    rows: Vec<T>,
    haystacks: Vec<String>,
    query: String,
    matches: Vec<usize>,
}

impl<T> Default for Searchable<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            haystacks: Vec::new(),
            query: String::new(),
            matches: Vec::new(),
        }
    }
}

impl<T> Searchable<T> {
    /// Rows in display order, each with the text it is found by (any case).
    #[must_use]
    pub fn new(rows: Vec<(T, String)>) -> Self {
        let (rows, haystacks): (Vec<T>, Vec<String>) = rows
            .into_iter()
            .map(|(row, text)| (row, text.to_lowercase()))
            .unzip();
        let matches = (0..rows.len()).collect();
        Self {
            rows,
            haystacks,
            query: String::new(),
            matches,
        }
    }

    /// Every row, in display order.
    #[must_use]
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    /// Keeps the rows in which every word of the query appears. Cheap when the query has
    /// not changed.
    pub fn set_query(&mut self, query: &str) {
        if query == self.query {
            return;
        }
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        self.matches = self
            .haystacks
            .iter()
            .enumerate()
            .filter(|(_, haystack)| words.iter().all(|word| haystack.contains(word.as_str())))
            .map(|(index, _)| index)
            .collect();
        query.clone_into(&mut self.query);
    }

    /// How many rows match the query.
    #[must_use]
    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    /// The `index`-th matching row, in display order.
    #[must_use]
    pub fn matched(&self, index: usize) -> Option<&T> {
        self.matches.get(index).and_then(|row| self.rows.get(*row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_must_match_in_any_order_and_case() {
        let mut rows = Searchable::new(vec![
            (1, "Maria Alvarez C-1042 draft".to_owned()),
            (2, "John Smith prp-hair active".to_owned()),
            (3, "Alvaro Costa prp-hair draft".to_owned()),
        ]);
        rows.set_query("ALVA");
        assert_eq!(rows.match_count(), 2);
        rows.set_query("draft prp");
        assert_eq!(rows.matched(0), Some(&3));
        assert_eq!(rows.match_count(), 1);
        rows.set_query("");
        assert_eq!(rows.match_count(), 3);
        rows.set_query("nobody");
        assert_eq!(rows.matched(0), None);
    }
}
