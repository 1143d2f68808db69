//! Search as you type over many rows: each row carries its folded text once, and a
//! query keeps the rows in which every word appears, in any order. Folding ignores case
//! and accents ("peter" finds Péter, "hakansson" finds Håkansson): `deunicode` turns
//! each character into its closest ASCII letters, the same way for the rows and the
//! query.

/// A text as it is searched: accents and case folded.
#[must_use]
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// Rows, the text each is found by, and the rows the last query matched.
#[derive(Debug, Clone)]
pub struct Searchable<T> {
    rows: Vec<T>,
    haystacks: Vec<String>,
    query: String,
    /// The lowercase words of the query.
    words: Vec<String>,
    matches: Vec<usize>,
}

impl<T> Default for Searchable<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            haystacks: Vec::new(),
            query: String::new(),
            words: Vec::new(),
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
            .map(|(row, text)| (row, fold(&text)))
            .unzip();
        let matches = (0..rows.len()).collect();
        Self {
            rows,
            haystacks,
            query: String::new(),
            words: Vec::new(),
            matches,
        }
    }

    /// Puts a row in its place by `order`, replacing the row `is_same` finds, without
    /// touching the others: a save costs the same with ten thousand rows as with ten.
    pub fn upsert(
        &mut self,
        row: T,
        haystack: &str,
        is_same: impl Fn(&T) -> bool,
        order: impl Fn(&T, &T) -> std::cmp::Ordering,
    ) {
        if let Some(old) = self.rows.iter().position(is_same) {
            self.rows.remove(old);
            self.haystacks.remove(old);
        }
        let at = self
            .rows
            .partition_point(|known| order(known, &row).is_lt());
        self.rows.insert(at, row);
        self.haystacks.insert(at, fold(haystack));
        self.filter(false);
    }

    /// Every row, in display order.
    #[must_use]
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    /// Keeps the rows in which every word of the query appears. Cheap when the query has
    /// not changed; typing on searches only the rows that matched.
    pub fn set_query(&mut self, query: &str) {
        if query == self.query {
            return;
        }
        let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
        // Typing on: every old word is still within a new one, so only the rows that
        // matched can match.
        let narrows = self
            .words
            .iter()
            .all(|old| words.iter().any(|new| new.contains(old.as_str())));
        query.clone_into(&mut self.query);
        self.words = words;
        self.filter(narrows);
    }

    /// Finds the rows that match the query's words: among the current matches when
    /// `narrows`, else among every row.
    fn filter(&mut self, narrows: bool) {
        let matches = |index: &usize| {
            self.haystacks.get(*index).is_some_and(|haystack| {
                self.words
                    .iter()
                    .all(|word| haystack.contains(word.as_str()))
            })
        };
        self.matches = if narrows {
            self.matches.iter().copied().filter(matches).collect()
        } else {
            (0..self.rows.len()).filter(matches).collect()
        };
    }

    /// The query the rows were last narrowed to.
    #[must_use]
    pub fn query(&self) -> &str {
        &self.query
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
        rows.set_query("nobody at all");
        assert_eq!(rows.match_count(), 0);
        rows.set_query("a");
        assert_eq!(
            rows.match_count(),
            3,
            "a shorter query searches every row again"
        );
    }

    #[test]
    fn accents_and_case_are_ignored_both_ways() {
        let mut rows = Searchable::new(vec![
            (1, "Péter Varga".to_owned()),
            (2, "Ólafur Håkansson".to_owned()),
            (3, "Peter Smith".to_owned()),
        ]);
        rows.set_query("peter");
        assert_eq!(rows.match_count(), 2);
        rows.set_query("hakansson");
        assert_eq!(rows.matched(0), Some(&2));
        rows.set_query("PÉTER var");
        assert_eq!(rows.matched(0), Some(&1));
        assert_eq!(rows.match_count(), 1);
        rows.upsert(4, "Håkon Ødegård", |row| *row == 4, Ord::cmp);
        rows.set_query("odegard");
        assert_eq!(rows.matched(0), Some(&4));
    }

    #[test]
    fn an_upserted_row_takes_its_place_and_is_found() {
        let order = |a: &i32, b: &i32| b.cmp(a);
        let mut rows = Searchable::new(vec![(9, "nine".to_owned()), (5, "five".to_owned())]);
        rows.set_query("e");
        rows.upsert(7, "seven", |row| *row == 7, order);
        assert_eq!(rows.rows(), &[9, 7, 5]);
        assert_eq!(rows.match_count(), 3);
        rows.upsert(10, "ten", |row| *row == 5, order);
        assert_eq!(rows.rows(), &[10, 9, 7], "the replaced row is gone");
        assert_eq!(rows.match_count(), 3);
    }
}
