extension FrameGenerator {
    /// Member names: one word each, as the brief generator draws its keys from a Latin filler text.
    static let keys = """
        lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore \
        magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo \
        consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.
        """.split(separator: " ").map(String.init)

    /// The ASCII string values, as JSON text (escapes written out): a paragraph cut into runs of eight words, each
    /// run joined by one separator in turn (space, quote, backslash, slash, and the control characters JSON escapes),
    /// which is how the brief generator puts every escape into its strings.
    static let asciiTexts: [String] = {
        let paragraph = """
            Tally measures activity while it happens: every heartbeat, click and session reaches durable storage that \
            survives a crash, and every question about watch time, resume positions or distinct visitors gets answers \
            from that storage within milliseconds. Events arrive late, reordered, and stamped by clocks nobody trusts, \
            so windows close by event time and revise their results when stragglers appear. When a single machine \
            cannot keep pace, PostgreSQL holds the shared state and Kafka carries events between collectors and \
            processors, while the answers stay the same on any server, today and in the days to come. Show example
            """
        let words = paragraph.split(separator: " ")
        let separators = [" ", #"\""#, #"\\"#, "/", #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#]
        return stride(from: 0, to: words.count, by: 8).enumerated().map { index, start in
            words[start..<min(start + 8, words.count)].joined(separator: separators[index % separators.count])
        }
    }()

    /// The UTF-8 string values: lines of Russian verse (written for this generator), two bytes per letter.
    static let cyrillicTexts = [
        "Над рекою тихо стелется туман,", "Город спит, и только ветер не спит,",
        "Фонари горят над мокрой мостовой,", "Кто-то ждёт письма, а почта молчит.",
        "Старый мост скрипит под шагами,", "И часы на башне бьют двенадцать раз,",
        "Снег ложится на крыши и сады,", "Утро будет ясным, говорят,",
        "Поезд мчится сквозь ночную степь,", "В окнах гаснет свет один за другим,",
        "Чайки кружат над холодной водой,", "Осень бродит по пустым дворам,",
        "Дождь стучит по жестяной трубе,", "И дорога уходит за горизонт,",
        "Книга открыта на той же странице,", "Самовар остыл, и гости ушли.",
        "Лодка ждёт у старого причала,", "Ночь длинна, и звёзды далеко,",
        "Голос песни слышен за рекой,", "Кот уснул на тёплом подоконнике,",
        "Вечер тянется, как долгий разговор,", "Ветка клёна стучится в стекло,",
        "Мы вернёмся, когда растает лёд,", "И весна придёт, как обещала.",
    ]
}
