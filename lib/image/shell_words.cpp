// Docker's word lexer, reduced to what Dockerfile instructions use. The structure mirrors
// moby/buildkit's shell/lex.go (process -> quote / dollar handlers) so behaviour can be compared
// rule by rule.
#include "image/shell_words.hpp"

#include <cctype>

namespace hoist::image {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// Collects output characters into words. Raw characters never split; "split" characters (the
/// value of an unquoted variable, unquoted source text) end a word at whitespace.
class Words {
public:
    explicit Words(bool splitting = true) : m_splitting(splitting) {}
    void raw(char c) {
        m_word += c;
        m_in_word = true;
    }
    void raw(const std::string& s) {
        m_word += s;
        m_in_word = true;
    }
    void split(char c) {
        if (is_space(c) && m_splitting) {
            if (m_in_word) flush();
        } else {
            raw(c);
        }
    }
    void split(const std::string& s) {
        for (char c : s) split(c);
    }
    /// A quoted empty string ("") is still a word.
    void mark() { m_in_word = true; }
    std::vector<std::string> finish() {
        if (m_in_word) flush();
        return std::move(m_words);
    }

private:
    void flush() {
        m_words.push_back(std::move(m_word));
        m_word.clear();
        m_in_word = false;
    }
    bool m_splitting;
    std::string m_word;
    bool m_in_word = false;
    std::vector<std::string> m_words;
};

class Lexer {
public:
    Lexer(std::string_view text, const Vars* vars, char escape, bool expand, bool keep_quotes)
        : m_s(text), m_vars(vars), m_escape(escape), m_expand(expand), m_keep_quotes(keep_quotes) {}

    /// Processes until `stop` (consumed) or the end; `found_stop` tells which.
    void process(Words& w, char stop, bool& found_stop) {
        found_stop = false;
        while (m_i < m_s.size()) {
            char c = m_s[m_i];
            if (stop && c == stop) {
                ++m_i;
                found_stop = true;
                return;
            }
            if (c == '\'') {
                single_quote(w);
            } else if (c == '"') {
                double_quote(w);
            } else if (c == '$' && m_expand) {
                ++m_i;
                w.split(dollar());
            } else if (c == m_escape) {
                ++m_i;
                if (m_keep_quotes) w.raw(c);
                if (m_i < m_s.size()) w.raw(m_s[m_i++]);
            } else {
                ++m_i;
                w.split(c);
            }
        }
    }

    bool at_end() const { return m_i >= m_s.size(); }

private:
    void single_quote(Words& w) {
        ++m_i;
        w.mark();
        if (m_keep_quotes) w.raw('\'');
        while (m_i < m_s.size() && m_s[m_i] != '\'') w.raw(m_s[m_i++]);
        if (m_i >= m_s.size()) throw WordError("unexpected end of statement while looking for matching single-quote");
        ++m_i;
        if (m_keep_quotes) w.raw('\'');
    }

    void double_quote(Words& w) {
        ++m_i;
        w.mark();
        if (m_keep_quotes) w.raw('"');
        while (m_i < m_s.size() && m_s[m_i] != '"') {
            char c = m_s[m_i];
            if (c == '$' && m_expand) {
                ++m_i;
                w.raw(dollar());
            } else if (c == m_escape && m_i + 1 < m_s.size() &&
                       (m_s[m_i + 1] == '"' || m_s[m_i + 1] == '$' || m_s[m_i + 1] == m_escape)) {
                if (m_keep_quotes) w.raw(c);
                w.raw(m_s[m_i + 1]);
                m_i += 2;
            } else {
                w.raw(c);
                ++m_i;
            }
        }
        if (m_i >= m_s.size()) throw WordError("unexpected end of statement while looking for matching double-quote");
        ++m_i;
        if (m_keep_quotes) w.raw('"');
    }

    std::string name() {
        std::size_t start = m_i;
        while (m_i < m_s.size() && is_name_char(m_s[m_i])) ++m_i;
        return std::string(m_s.substr(start, m_i - start));
    }

    const std::string* lookup(const std::string& n) const {
        auto it = m_vars->find(n);
        return it == m_vars->end() ? nullptr : &it->second;
    }

    /// After a `$`: the expansion (a literal "$" when no name follows).
    std::string dollar() {
        if (m_i >= m_s.size() || m_s[m_i] != '{') {
            std::string n = name();
            if (n.empty()) return "$";
            auto* v = lookup(n);
            return v ? *v : std::string();
        }
        ++m_i;  // '{'
        if (m_i >= m_s.size()) throw WordError("syntax error: missing '}'");
        char first = m_s[m_i];
        if (first == '{' || first == '}' || first == ':') throw WordError("syntax error: bad substitution");
        std::string n = name();
        if (m_i >= m_s.size()) throw WordError("syntax error: missing '}'");
        char c = m_s[m_i++];
        auto* v = lookup(n);
        if (c == '}') return v ? *v : std::string();
        bool colon = c == ':';
        if (colon) {
            if (m_i >= m_s.size()) throw WordError("syntax error: missing '}'");
            c = m_s[m_i++];
        }
        if (c != '-' && c != '+' && c != '?')
            throw WordError(std::string("unsupported modifier (") + c + ") in substitution of ${" + n + "}");
        // The word after the modifier may itself hold quotes and variables.
        Words inner(false);
        bool found = false;
        process(inner, '}', found);
        if (!found) throw WordError("syntax error: missing '}'");
        auto parts = inner.finish();
        std::string word = parts.empty() ? std::string() : parts.front();
        bool set = v && (!colon || !v->empty());
        switch (c) {
        case '-': return set ? *v : word;
        case '+': return set ? word : std::string();
        default:
            if (!set) throw WordError(n + ": " + (word.empty() ? "is not allowed to be unset" : word));
            return *v;
        }
    }

    std::string_view m_s;
    std::size_t m_i = 0;
    const Vars* m_vars;
    char m_escape;
    bool m_expand;
    bool m_keep_quotes;
};

}  // namespace

std::string expand_word(std::string_view word, const Vars& vars, char escape) {
    // One word keeps its inner whitespace and variable values are not split.
    Lexer lex(word, &vars, escape, true, false);
    Words w(false);
    bool found = false;
    lex.process(w, 0, found);
    auto parts = w.finish();
    return parts.empty() ? std::string() : parts.front();
}

std::vector<std::string> expand_words(std::string_view text, const Vars& vars, char escape) {
    Lexer lex(text, &vars, escape, true, false);
    Words w;
    bool found = false;
    lex.process(w, 0, found);
    return w.finish();
}

std::vector<std::string> split_words_raw(std::string_view text, char escape) {
    static const Vars none;
    Lexer lex(text, &none, escape, false, true);
    Words w;
    bool found = false;
    lex.process(w, 0, found);
    return w.finish();
}

}  // namespace hoist::image
