//! Turning a message as a patient types it into canonical tokens: lower
//! case, apostrophes dropped ("don't" → "dont"), text-speak expanded
//! ("u" → "you", "gonna" → "going to"), letters repeated for emphasis
//! squeezed ("sooo" → "so"), masked swearing restored ("f**k" → "fuck"),
//! emoji turned into words ("🔪" → "emoknife"), and a light suffix stem
//! ("killed" → "kill"). Every token keeps the byte span of the original
//! text it came from, so reasons can quote the message.

/// One canonical token and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) word: String,
    /// Byte range in the original message.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Surface facts about a message that are not words.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shape {
    pub(crate) letters: usize,
    pub(crate) upper: usize,
    pub(crate) exclamations: usize,
    pub(crate) questions: usize,
    /// Words (runs of letters or digits) and emoji we read, for telling an
    /// emoji-only message apart.
    pub(crate) words: usize,
    pub(crate) emoji: usize,
}

impl Shape {
    /// Mostly capitals, over enough letters to mean shouting.
    pub(crate) fn shouting(&self) -> bool {
        self.letters >= 12 && self.upper * 10 >= self.letters * 7
    }

    /// Nothing but emoji (and punctuation): the pictures are the message.
    pub(crate) fn emoji_only(&self) -> bool {
        self.words == 0 && self.emoji > 0
    }
}

/// The word an emoji stands for, if it is one we read.
fn emoji_word(c: char) -> Option<&'static str> {
    Some(match c {
        '🔪' | '🗡' | '⚔' | '🏹' => "emoknife",
        '🔫' => "emogun",
        '💣' | '🧨' => "emobomb",
        '💀' | '☠' => "emoskull",
        '⚰' | '🪦' => "emocoffin",
        '🩸' => "emoblood",
        '💊' => "emopill",
        '🪢' => "emorope",
        '🔥' => "emofire",
        '🪓' | '🔨' => "emoaxe",
        '👊' | '🤜' | '🤛' => "emofist",
        '🖕' => "emofinger",
        '😡' | '🤬' | '👿' | '😠' | '😈' | '😤' => "emoangry",
        '🤡' | '💩' | '🤮' | '🐷' => "emomock",
        '👀' | '👁' => "emoeyes",
        '👏' => "emoclap",
        '🙄' | '😒' | '🥱' => "emoroll",
        '🤦' => "emofacepalm",
        '📸' | '📷' | '📍' => "emocamera",
        '🏠' | '🏡' => "emohouse",
        '🚗' | '🚙' => "emocar",
        '🤒' | '🤕' | '🤧' | '🤢' | '🥵' | '🥶' | '🤯' => "emoill",
        '😭' | '😢' | '😞' | '😔' | '💔' | '😩' | '😣' | '🥀' | '😿' => "emosad",
        '❤' | '♥' | '💕' | '💖' | '💗' | '💓' | '💞' | '💘' | '💝' | '💜' | '💙' | '🧡' | '💛'
        | '💚' | '🤍' | '🖤' | '😍' | '🥰' | '😻' | '💌' => "emoheart",
        '😘' | '😚' | '😙' | '💋' => "emokiss",
        '🌹' | '💐' | '🌷' | '🌸' | '🎁' | '🍫' | '🍾' | '🥂' => "emogift",
        '😉' | '😜' | '😏' | '🍑' | '🍆' | '🔞' => "emowink",
        '😊' | '🙂' | '☺' | '😀' | '😁' | '🤗' | '🥳' | '🎉' | '🎂' | '🎈' => {
            "emosmile"
        }
        _ => return None,
    })
}

/// Text-speak and contractions, expanded to the words the patterns use.
fn expand(word: &str) -> Option<&'static [&'static str]> {
    Some(match word {
        "u" | "ya" | "yu" | "yer" | "yous" | "youse" => &["you"],
        "ur" | "yr" | "youre" => &["your"],
        "r" => &["are"],
        "im" | "iam" => &["i", "am"],
        "ive" => &["i", "have"],
        "youll" | "ull" => &["you", "will"],
        "youve" => &["you", "have"],
        "youd" => &["you", "would"],
        "itll" => &["it", "will"],
        "gonna" | "gunna" | "gona" | "finna" => &["going", "to"],
        "wanna" | "wana" => &["want", "to"],
        "gotta" => &["got", "to"],
        "tryna" => &["trying", "to"],
        "dunno" => &["do", "not", "know"],
        "luv" | "lv" | "lurve" => &["love"],
        "wiv" | "wid" | "w" => &["with"],
        "pls" | "plz" | "plse" | "plez" => &["please"],
        "thx" | "thnx" | "ty" | "ta" | "thanx" | "tnx" => &["thanks"],
        "cos" | "coz" | "cuz" | "bc" | "bcoz" | "becoz" => &["because"],
        "b4" => &["before"],
        "2moro" | "2morrow" | "tmrw" | "tmr" | "tomoz" | "tmoz" | "2mrw" => &["tomorrow"],
        "2day" | "tday" => &["today"],
        "2nite" | "2night" | "tonite" => &["tonight"],
        "nite" => &["night"],
        "msg" | "mssg" => &["message"],
        "msgs" => &["messages"],
        "txt" => &["text"],
        "txts" => &["texts"],
        "appt" | "apt" | "appnt" | "appointmnt" => &["appointment"],
        "appts" => &["appointments"],
        "dr" | "doc" | "docter" | "doctr" => &["doctor"],
        "drs" | "docs" => &["doctors"],
        "meds" => &["medication"],
        "script" | "presc" | "rx" | "perscription" | "prescripton" => &["prescription"],
        "ppl" => &["people"],
        "k" | "kk" | "okay" | "okey" => &["ok"],
        "stfu" => &["shut", "up"],
        "kys" => &["kill", "yourself"],
        "kms" => &["kill", "myself"],
        "bday" | "b-day" => &["birthday"],
        "gf" => &["girlfriend"],
        "bf" => &["boyfriend"],
        "hubby" | "hubbie" => &["husband"],
        "kiddies" | "kiddos" | "kidz" => &["kids"],
        "mam" | "mom" | "mummy" | "mommy" | "mother" => &["mum"],
        "hun" | "hunny" | "babe" | "darlin" | "darling" | "sweetheart" | "sweetie" | "sweety"
        | "honey" => &["hun"],
        "x" => &["kiss1"],
        "xx" | "xxx" | "xxxx" | "xxxxx" | "xo" | "xoxo" | "xxxxxx" => &["kiss2"],
        "cnt" | "cant" | "cannot" | "carnt" => &["cant"],
        "wont" | "willnt" => &["wont"],
        "dont" | "dnt" => &["dont"],
        "didnt" | "didint" | "dint" => &["didnt"],
        "aint" => &["aint"],
        "nothin" | "nuthin" | "nowt" => &["nothing"],
        "summat" | "sumthin" | "somethin" => &["something"],
        "sum1" | "some1" => &["someone"],
        "every1" | "evry1" => &["everyone"],
        "no1" => &["no", "one"],
        "any1" => &["anyone"],
        "wat" | "wot" | "wht" => &["what"],
        "sed" => &["said"],
        "rite" => &["right"],
        "gud" => &["good"],
        "l8r" | "l8er" => &["later"],
        "gr8" => &["great"],
        "m8" => &["mate"],
        "ffs" => &["for", "fucks", "sake"],
        "wtf" => &["what", "the", "fuck"],
        "omfg" => &["oh", "my", "god", "fuck"],
        "fk" | "fck" | "fuk" | "fuq" | "phuck" | "feck" => &["fuck"],
        "fkn" | "fckn" | "fcking" | "fuckin" | "fukin" | "fking" | "effing" | "fooking" => {
            &["fucking"]
        }
        "sh1t" | "shite" => &["shit"],
        "b1tch" | "biatch" => &["bitch"],
        "insta" | "ig" => &["instagram"],
        // Text-speak and slang seen in messages about risk.
        "ima" | "imma" => &["i", "am", "going", "to"],
        "gna" | "gnna" | "goin" => &["going", "to"],
        "wna" | "wnt" => &["want"],
        "cba" => &["cant", "be", "bothered"],
        "idc" => &["i", "dont", "care"],
        "idk" => &["i", "do", "not", "know"],
        "ngl" => &["not", "going", "to", "lie"],
        "rn" => &["right", "now"],
        "abt" | "bout" => &["about"],
        "wen" | "wn" => &["when"],
        "wer" | "wre" => &["where"],
        "kno" | "knw" | "knoe" => &["know"],
        "liv" => &["live"],
        "av" | "ave" | "hav" => &["have"],
        "havnt" | "avnt" => &["havent"],
        "cudnt" | "cudn" => &["couldnt"],
        "wudnt" => &["wouldnt"],
        "neva" | "nvr" | "nevr" => &["never"],
        "evr" => &["ever"],
        "nuffin" | "nuthing" | "nuffink" => &["nothing"],
        "soz" | "sry" | "sozz" => &["sorry"],
        "thru" | "thro" | "throu" => &["through"],
        "wk" | "wkk" => &["week"],
        "wknd" | "wkend" | "wkd" => &["weekend"],
        "n" => &["and"],
        "ov" => &["of"],
        "lil" => &["little"],
        "urs" | "yourz" | "yors" => &["yours"],
        "yor" | "ure" => &["your"],
        "gaff" | "gaf" | "hse" => &["house"],
        "skool" | "skl" => &["school"],
        "wifey" | "missus" | "misses" => &["wife"],
        "hubs" => &["husband"],
        "lol" | "lmao" | "lmfao" | "haha" | "hahaha" | "hehe" | "rofl" | "lool" => &["lol"],
        "2" => &["to"],
        "4" => &["for"],
        // Common misspellings of the words that matter most.
        "kil" | "kll" => &["kill"],
        "kilin" | "killin" | "kiling" | "kilng" => &["killing"],
        "myslef" | "mysef" | "myslf" | "mself" | "meself" | "mysel" | "myseld" | "mysefl"
        | "myselfe" | "msyelf" => &["myself"],
        "sucide" | "suicde" | "suiside" | "sucicide" | "suecide" | "suiced" => &["suicide"],
        "sucidal" | "suicdal" | "suicidle" | "suisidal" | "sucidle" | "suicidel" | "suacidal" => {
            &["suicidal"]
        }
        "unalive" | "unalived" | "unaliving" | "unalives" | "unaliveing" => &["kill"],
        "ctb" => &["kill", "myself"],
        "sh" => &["self", "harm"],
        "ded" => &["dead"],
        "dyin" | "dieing" | "dyeing" => &["dying"],
        "tabs" | "tablits" | "tablts" => &["tablets"],
        "pils" | "pillz" => &["pills"],
        "paracetemol" | "parecetamol" | "paracetomol" | "paracetmol" | "parcetamol" => {
            &["paracetamol"]
        }
        "overdoze" | "ovadose" | "overdos" => &["overdose"],
        "watchin" => &["watching"],
        "followin" => &["following"],
        "waitin" => &["waiting"],
        "comin" => &["coming"],
        "hurtin" => &["hurting"],
        "cuttin" => &["cutting"],
        "thinkin" => &["thinking"],
        "feelin" => &["feeling"],
        "doin" => &["doing"],
        "gettin" | "getin" => &["getting"],
        "outta" | "outa" => &["out", "of"],
        "tryin" => &["trying"],
        "effin" | "feckin" | "fuckn" | "fkin" => &["fucking"],
        "mins" => &["minutes"],
        "hrs" => &["hours"],
        "wks" => &["weeks"],
        "fb" => &["facebook"],
        "a&e" => &["ae"],
        "hosp" => &["hospital"],
        // Scots and northern dialect.
        "ye" | "yeez" | "yiz" => &["you"],
        "yere" | "yeare" => &["you", "are"],
        "yeve" => &["you", "have"],
        "heid" => &["head"],
        "wi" => &["with"],
        "nae" => &["no"],
        "dinnae" | "divnae" | "dinna" => &["dont"],
        "cannae" => &["cant"],
        "wouldnae" => &["wouldnt"],
        "didnae" => &["didnt"],
        "ul" => &["you", "will"],
        "whod" => &["who", "would"],
        "wholl" => &["who", "will"],
        _ => return None,
    })
}

/// A word with asterisks in it read as the swear word it hides, if we can tell.
fn unmask(w: &str) -> Option<&'static str> {
    if !w.contains('*') || w.len() < 3 {
        return None;
    }
    let letters: String = w.chars().filter(|c| *c != '*').collect();
    let ing = letters.ends_with("ing") || letters.ends_with("in");
    Some(match letters.as_bytes().first()? {
        b'f' if ing => "fucking",
        b'f' => "fuck",
        b'a' if letters == "ae" || letters == "ase" => "arse",
        b'c' if letters.starts_with("co") => return None,
        b'c' => "cunt",
        b's' if letters.starts_with("sh") => "shit",
        b'b' if letters.starts_with("ba") => "bastard",
        b'b' => "bitch",
        b't' => "twat",
        b'w' => "wanker",
        b'p' => "prick",
        _ => return None,
    })
}

/// Squeeze runs of three or more of the same letter down to one ("sooo" → "so").
fn squeeze(w: &str) -> std::borrow::Cow<'_, str> {
    let b = w.as_bytes();
    let has_run = b.windows(3).any(|x| x[0] == x[1] && x[1] == x[2]);
    if !has_run {
        return std::borrow::Cow::Borrowed(w);
    }
    let chars: Vec<char> = w.chars().collect();
    let mut out = String::with_capacity(w.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut j = i;
        while j < chars.len() && chars[j] == c {
            j += 1;
        }
        let run = j - i;
        // Keep doubles (e.g. "kill", "soon"); squeeze emphasis runs to one.
        let keep = if run >= 3 { 1 } else { run };
        for _ in 0..keep {
            out.push(c);
        }
        i = j;
    }
    std::borrow::Cow::Owned(out)
}

/// A light, deterministic suffix stem. Patterns go through the same function,
/// so it only needs to be consistent, not linguistically exact.
pub(crate) fn stem(w: &str) -> &str {
    let n = w.len();
    if !w.is_ascii() || n < 4 {
        return w;
    }
    if matches!(
        w,
        "evening"
            | "evenings"
            | "morning"
            | "mornings"
            | "nothing"
            | "something"
            | "anything"
            | "everything"
            | "sibling"
            | "ceiling"
            | "yours"
            | "parking"
            | "wedding"
            | "pudding"
            | "spring"
    ) {
        return w;
    }
    if n >= 6 && w.ends_with("ing") {
        return &w[..n - 3];
    }
    if n >= 5 && w.ends_with("ed") {
        return &w[..n - 2];
    }
    if n >= 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is")
    {
        return &w[..n - 1];
    }
    w
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | '´' | 'ʼ')
}

/// Canonicalise one raw word (already lower case) into tokens.
fn push_word(raw: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    if let Some(w) = unmask(raw) {
        out.push(Token {
            word: w.to_string(),
            start,
            end,
        });
        return;
    }
    let cleaned: std::borrow::Cow<'_, str> = if raw.contains('*') {
        std::borrow::Cow::Owned(raw.replace('*', ""))
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    if cleaned.is_empty() {
        return;
    }
    // "2" and "4" stand for words in text-speak ("want 2 die", "4 ever").
    if cleaned.bytes().all(|b| b.is_ascii_digit()) && !matches!(&*cleaned, "2" | "4") {
        // Numbers matter only by size ("took 30 tablets").
        let big = cleaned.len() > 1 && !cleaned.starts_with('0');
        out.push(Token {
            word: if big { "bignum" } else { "num" }.to_string(),
            start,
            end,
        });
        return;
    }
    let squeezed = squeeze(&cleaned);
    let lookup = expand(&squeezed).or_else(|| expand(&cleaned));
    match lookup {
        Some(words) => {
            for w in words {
                out.push(Token {
                    word: stem(w).to_string(),
                    start,
                    end,
                });
            }
        }
        None => out.push(Token {
            word: stem(&squeezed).to_string(),
            start,
            end,
        }),
    }
}

/// Split `text` into canonical tokens (appended to `out`) and report its shape.
pub(crate) fn tokenize(text: &str, out: &mut Vec<Token>) -> Shape {
    let mut shape = Shape::default();
    let mut word = String::new();
    let mut start = 0usize;
    let mut end = 0usize;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c.is_alphanumeric() || (c == '*' && !word.is_empty()) || (c == '&' && word == "a") {
            if word.is_empty() {
                start = i;
            }
            if c.is_alphabetic() {
                shape.letters += 1;
                if c.is_uppercase() {
                    shape.upper += 1;
                }
            }
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
            end = i + c.len_utf8();
            continue;
        }
        if is_apostrophe(c)
            && !word.is_empty()
            && iter.peek().is_some_and(|(_, n)| n.is_alphabetic())
        {
            // Inside a word: "don't" → "dont".
            continue;
        }
        if !word.is_empty() {
            shape.words += 1;
            push_word(&word, start, end, out);
            word.clear();
        }
        match c {
            '!' => shape.exclamations += 1,
            '?' => shape.questions += 1,
            _ => {
                if let Some(e) = emoji_word(c) {
                    shape.emoji += 1;
                    out.push(Token {
                        word: e.to_string(),
                        start: i,
                        end: i + c.len_utf8(),
                    });
                }
            }
        }
    }
    if !word.is_empty() {
        shape.words += 1;
        push_word(&word, start, end, out);
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokenize(s, &mut v);
        v.into_iter().map(|t| t.word).collect()
    }

    #[test]
    fn text_speak_apostrophes_and_emphasis() {
        assert_eq!(
            words("Im gonna KILL u"),
            ["i", "am", "going", "to", "kill", "you"]
        );
        assert_eq!(words("don’t"), ["dont"]);
        assert_eq!(words("sooooo pleeease"), ["so", "please"]);
        assert_eq!(words("luv u xx"), ["love", "you", "kiss2"]);
        assert_eq!(words("f**k off"), ["fuck", "off"]);
        assert_eq!(words("killed tablets"), ["kill", "tablet"]);
    }

    #[test]
    fn misspellings_slang_and_digits_for_words() {
        assert_eq!(words("gonna kil myslef"), ["going", "to", "kill", "myself"]);
        assert_eq!(words("unalive"), ["kill"]);
        assert_eq!(words("i want 2 die"), ["i", "want", "to", "die"]);
        assert_eq!(words("took 30"), ["took", "bignum"]);
        // Stems are light and only need to agree with the rules: "getting" → "gett".
        assert_eq!(words("ur gettin it"), words("your getting it"));
        // "yours" stays apart from "your": "outside yours" is the doctor's home.
        assert_eq!(words("outside yours"), ["outside", "yours"]);
    }

    #[test]
    fn emoji_only_messages_are_told_apart() {
        let mut v = Vec::new();
        assert!(tokenize("🔪🩸", &mut v).emoji_only());
        assert!(!tokenize("see you 🔪", &mut v).emoji_only());
    }

    #[test]
    fn emoji_become_words_and_spans_point_back() {
        let mut v = Vec::new();
        tokenize("watch out 🔪🔪", &mut v);
        assert_eq!(v[2].word, "emoknife");
        assert_eq!(&"watch out 🔪🔪"[v[2].start..v[2].end], "🔪");
        let mut v = Vec::new();
        tokenize("❤️ you", &mut v);
        assert_eq!(v[0].word, "emoheart");
    }

    #[test]
    fn shouting_needs_enough_capitals() {
        let mut v = Vec::new();
        assert!(tokenize("YOU ARE A DISGRACE TO MEDICINE", &mut v).shouting());
        assert!(!tokenize("OK thanks", &mut v).shouting());
    }
}
