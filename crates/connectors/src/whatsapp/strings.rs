//! WhatsApp's export strings per language (31), as data.
//!
//! Sources: formats.md §2.6 (chatwarden's notes); real exports (the public
//! whats_json test corpus: the cs, id, ja, th, uk and vi iOS tables and the iOS
//! strings marked in hi and ar; lines quoted from real exports in parsers' tests
//! and write-ups); WhatsApp's own strings as the whats_json project tabulates them
//! from the app's iOS `Localizable.strings` and Android `strings.xml`; and wordings
//! two or more independent parsers agree on. `docs/formats/whatsapp.md` marks each
//! string's source; `(unconfirmed)` there means not seen anywhere yet. Matching is
//! case-insensitive, after invisible marks are removed.

use chatwarden_model::MediaKind;
use foldhash::{HashMap, HashSet};
use memchr::memmem::Finder;
use std::sync::LazyLock;

/// One language's strings.
pub struct Locale {
    /// BCP 47 language code.
    pub code: &'static str,
    /// Android "exported without media" body (the whole body).
    pub media_omitted: &'static [&'static str],
    /// iOS "exported without media" bodies, with the kind they tell.
    pub omitted: &'static [(&'static str, MediaKind)],
    /// iOS `<attached: NAME>`: the text before NAME (the body ends with `>`).
    pub attached_open: &'static [&'static str],
    /// iOS placeholders that put the file name first, inside the angle
    /// brackets (Turkish `<NAME eklendi>`): the text after NAME, before the `>`.
    pub attached_after_name: &'static [&'static str],
    /// Android `NAME (file attached)`: the text after NAME.
    pub file_attached: &'static [&'static str],
    /// Deleted-message bodies (a trailing `.` is ignored).
    pub deleted: &'static [&'static str],
    /// Edited marker appended to a body.
    pub edited: &'static [&'static str],
    /// Phrases found only in system events (encryption banner, security code,
    /// group events): used on bodies attributed to a sender after a leading LRM.
    pub system: &'static [&'static str],
    /// Phrases that only group events contain (mark the chat as a group).
    pub group_events: &'static [&'static str],
    /// Phrases of group events whose text itself holds `": "` (so splitting the
    /// sender at the first `": "` would be wrong): checked on the part before it.
    pub system_before_colon: &'static [&'static str],
}

use MediaKind::{Audio, Contact, Document, Gif, Image, Location, Other, Sticker, Video};

pub static LOCALES: &[Locale] = &[
    Locale {
        code: "en",
        media_omitted: &[
            "<Media omitted>",
            "<Video message omitted>",
            "<Video note omitted>",
        ],
        omitted: &[
            ("image omitted", Image),
            ("video omitted", Video),
            ("audio omitted", Audio),
            ("sticker omitted", Sticker),
            ("GIF omitted", Gif),
            ("document omitted", Document),
            ("Contact card omitted", Contact),
            ("video note omitted", Video),
            // WhatsApp Web / Desktop export (`<voice message omitted>` …, the
            // angle brackets taken off by the caller).
            ("voice message omitted", Audio),
            ("video message omitted", Video),
            ("media omitted", Other),
            ("Location omitted", Location),
            ("Live location omitted", Location),
        ],
        attached_open: &["<attached: "],
        attached_after_name: &[],
        file_attached: &[" (file attached)"],
        deleted: &[
            "This message was deleted",
            "You deleted this message",
            "This message was deleted by an admin",
            "You deleted this message as admin",
        ],
        edited: &["<This message was edited>"],
        system: &[
            "end-to-end encrypted",
            "security code with",
            "security code changed",
            "created group",
            " added ",
            "You were added",
            " left",
            " removed ",
            "changed the subject",
            "changed this group's",
            "changed the group description",
            "joined using this group's invite link",
            "changed their phone number",
            "disappearing messages",
            "is a contact",
            "You blocked this contact",
            "You unblocked this contact",
            "Tap to learn more",
        ],
        group_events: &[
            "created group",
            " added ",
            "You were added",
            " left",
            " removed ",
            "changed the subject",
            "changed this group's",
            "changed the group description",
            "joined using this group's invite link",
        ],
        system_before_colon: &[
            "changed the subject",
            "changed this group",
            "changed the group",
            "created group",
        ],
    },
    Locale {
        code: "de",
        media_omitted: &["<Medien ausgeschlossen>", "<Medien weggelassen>"],
        omitted: &[
            ("Bild weggelassen", Image),
            ("Video weggelassen", Video),
            ("Audio weggelassen", Audio),
            ("Sticker weggelassen", Sticker),
            ("GIF weggelassen", Gif),
            ("Dokument weggelassen", Document),
            ("Kontaktkarte ausgelassen", Contact),
            ("Kontaktkarte weggelassen", Contact),
        ],
        // `‹angehängt: NAME>` opens with U+2039 (German iOS, reported by WhatsR).
        attached_open: &["<Anhang: ", "\u{2039}angehängt: ", "<angehängt: "],
        attached_after_name: &[],
        file_attached: &[" (Datei angehängt)"],
        deleted: &[
            "Diese Nachricht wurde gelöscht",
            "Du hast diese Nachricht gelöscht",
        ],
        edited: &["<Diese Nachricht wurde bearbeitet>"],
        system: &[
            "Ende-zu-Ende-verschlüsselt",
            "Sicherheitsnummer",
            "hat die Gruppe",
            "hinzugefügt",
            "entfernt",
            "hat den Betreff",
            "Gruppenbeschreibung",
            "Gruppenbild",
            "beigetreten",
            "selbstlöschende Nachrichten",
            "Tippe, um mehr zu erfahren",
        ],
        group_events: &[
            "hat die Gruppe",
            "hinzugefügt",
            "entfernt",
            "hat den Betreff",
            "Gruppenbeschreibung",
            "Gruppenbild",
            "beigetreten",
        ],
        system_before_colon: &["hat den Betreff", "Gruppenbeschreibung"],
    },
    Locale {
        code: "fr",
        // `<Fichier omis>`: the older Android string.
        media_omitted: &["<Médias omis>", "<Fichier omis>"],
        omitted: &[
            ("image absente", Image),
            ("vidéo absente", Video),
            ("audio omis", Audio),
            ("sticker omis", Sticker),
            ("GIF retiré", Gif),
            ("document manquant", Document),
            ("document omis", Document),
            ("Fiche contact manquante", Contact),
        ],
        // The space before the colon may be a no-break space.
        attached_open: &[
            "<pièce jointe : ",
            "<pièce jointe\u{00A0}: ",
            "<pièce jointe\u{202F}: ",
            "<pièce jointe: ",
        ],
        attached_after_name: &[],
        file_attached: &[" (fichier joint)"],
        deleted: &["Ce message a été supprimé", "Vous avez supprimé ce message"],
        edited: &["<Ce message a été modifié>"],
        system: &[
            "chiffrés de bout en bout",
            "code de sécurité",
            "a créé le groupe",
            "a ajouté",
            "est parti",
            "a retiré",
            "a modifié le sujet",
            "a changé le sujet",
            "description du groupe",
            "Appuyez pour en savoir plus",
        ],
        group_events: &[
            "a créé le groupe",
            "a ajouté",
            "est parti",
            "a retiré",
            "a modifié le sujet",
            "a changé le sujet",
            "description du groupe",
        ],
        system_before_colon: &["le sujet", "description du groupe"],
    },
    Locale {
        code: "es",
        media_omitted: &["<Multimedia omitido>", "<Archivo omitido>"],
        omitted: &[
            ("imagen omitida", Image),
            ("video omitido", Video),
            ("audio omitido", Audio),
            ("sticker omitido", Sticker),
            ("GIF omitido", Gif),
            ("documento omitido", Document),
            ("Tarjeta de contacto omitida", Contact),
        ],
        attached_open: &["<adjunto: "],
        attached_after_name: &[],
        file_attached: &[" (archivo adjunto)", " (archivo adjuntado)"],
        deleted: &[
            "Se eliminó este mensaje",
            "Eliminaste este mensaje",
            "Este mensaje fue eliminado",
        ],
        edited: &["<Se editó este mensaje.>", "<Este mensaje fue editado>"],
        system: &[
            "cifrados de extremo a extremo",
            "código de seguridad",
            "creó el grupo",
            "añadió",
            "salió",
            "eliminó a",
            "cambió el asunto",
            "cambió la descripción",
            "se unió",
            "Toca para obtener más información",
            "Pulsa para obtener más información",
        ],
        group_events: &[
            "creó el grupo",
            "añadió",
            "salió",
            "eliminó a",
            "cambió el asunto",
            "cambió la descripción",
            "se unió",
        ],
        system_before_colon: &["cambió el asunto", "cambió la descripción"],
    },
    Locale {
        code: "pt",
        // pt-BR current and older; pt-PT `<Ficheiro não revelado>`; the oldest
        // Android `<Mídia omitida>`.
        media_omitted: &[
            "<Mídia oculta>",
            "<Arquivo de mídia oculto>",
            "<Ficheiro não revelado>",
            "<Mídia omitida>",
        ],
        omitted: &[
            ("imagem ocultada", Image),
            ("imagem não revelada", Image),
            ("vídeo omitido", Video),
            ("vídeo não revelado", Video),
            ("áudio ocultado", Audio),
            ("ficheiro de áudio não revelado", Audio),
            ("figurinha omitida", Sticker),
            ("sticker não revelado", Sticker),
            ("GIF omitido", Gif),
            ("GIF não revelada", Gif),
            ("documento omitido", Document),
            ("documento não revelado", Document),
            ("cartão de contato omitido", Contact),
            ("Contacto não revelado", Contact),
        ],
        attached_open: &["<anexado: ", "<anexo: "],
        attached_after_name: &[],
        file_attached: &[" (arquivo anexado)", " (ficheiro anexado)"],
        deleted: &[
            "Esta mensagem foi apagada",
            "Essa mensagem foi apagada",
            "Mensagem apagada",
            "Você apagou esta mensagem",
            "Apagou esta mensagem",
            "Eliminou esta mensagem",
        ],
        // pt-PT, and pt-BR's `<Mensagem editada>`.
        edited: &["<Esta mensagem foi editada>", "<Mensagem editada>"],
        system: &[
            "criptografia de ponta a ponta",
            "encriptadas ponto a ponto",
            "código de segurança",
            "criou o grupo",
            "adicionou",
            "saiu",
            "removeu",
            "mudou o assunto",
            "mudou a descrição",
            "entrou usando o link",
            "Toque para saber mais",
        ],
        group_events: &[
            "criou o grupo",
            "adicionou",
            "saiu",
            "removeu",
            "mudou o assunto",
            "mudou a descrição",
            "entrou usando o link",
        ],
        system_before_colon: &["mudou o assunto", "mudou a descrição"],
    },
    Locale {
        code: "it",
        media_omitted: &["<Media omessi>", "<Media omesso>"],
        omitted: &[
            ("immagine omessa", Image),
            ("video omesso", Video),
            ("audio omesso", Audio),
            ("sticker non incluso", Sticker),
            ("sticker omesso", Sticker),
            ("GIF esclusa", Gif),
            ("GIF omessa", Gif),
            ("documento omesso", Document),
            ("Scheda contatto omessa", Contact),
        ],
        attached_open: &["<allegato: "],
        attached_after_name: &[],
        file_attached: &[" (file allegato)"],
        deleted: &[
            "Questo messaggio è stato eliminato",
            "Hai eliminato questo messaggio",
        ],
        edited: &["<Questo messaggio è stato modificato>"],
        system: &[
            "crittografati end-to-end",
            "codice di sicurezza",
            "ha creato il gruppo",
            "ha aggiunto",
            "è uscito",
            "ha rimosso",
            "ha cambiato l'oggetto",
            "ha modificato la descrizione",
            "Tocca per saperne di più",
        ],
        group_events: &[
            "ha creato il gruppo",
            "ha aggiunto",
            "è uscito",
            "ha rimosso",
            "ha cambiato l'oggetto",
            "ha modificato la descrizione",
        ],
        system_before_colon: &["ha cambiato l'oggetto", "ha modificato la descrizione"],
    },
    Locale {
        code: "nl",
        media_omitted: &["<Media weggelaten>"],
        omitted: &[
            ("afbeelding weggelaten", Image),
            ("video weggelaten", Video),
            ("audio weggelaten", Audio),
            ("sticker weggelaten", Sticker),
            ("GIF weggelaten", Gif),
            ("document weggelaten", Document),
            ("contactkaart weggelaten", Contact),
        ],
        attached_open: &["<bijgevoegd: "],
        attached_after_name: &[],
        file_attached: &[" (bestand bijgevoegd)"],
        deleted: &[
            "Dit bericht is verwijderd",
            "Je hebt dit bericht verwijderd",
            "U hebt dit bericht verwijderd",
        ],
        edited: &["<Dit bericht is bewerkt>"],
        system: &[
            "end-to-end versleuteld",
            "beveiligingscode",
            "heeft groep",
            "toegevoegd",
            "is vertrokken",
            "verwijderd",
            "heeft het onderwerp",
            "groepsbeschrijving",
            "Tik voor meer informatie",
        ],
        group_events: &[
            "heeft groep",
            "toegevoegd",
            "is vertrokken",
            "heeft het onderwerp",
            "groepsbeschrijving",
        ],
        system_before_colon: &["heeft het onderwerp", "groepsbeschrijving"],
    },
    Locale {
        code: "ru",
        media_omitted: &["<Без медиафайлов>", "<Файл пропущен>"],
        omitted: &[
            ("изображение отсутствует", Image),
            ("видео отсутствует", Video),
            ("аудио отсутствует", Audio),
            ("аудиофайл отсутствует", Audio),
            ("стикер не добавлен", Sticker),
            ("стикер отсутствует", Sticker),
            ("GIF отсутствует", Gif),
            ("документ отсутствует", Document),
            ("карточка контакта отсутствует", Contact),
        ],
        attached_open: &["<прикреплено: "],
        attached_after_name: &[],
        file_attached: &[" (файл добавлен)"],
        deleted: &[
            "Данное сообщение удалено",
            "Вы удалили данное сообщение",
            "Вы удалили это сообщение",
        ],
        edited: &["<Сообщение изменено>"],
        system: &[
            "сквозным шифрованием",
            "код безопасности",
            "создал(-а) группу",
            "добавил(-а)",
            "вышел(-а)",
            "удалил(-а)",
            "изменил(-а) тему",
            "изменил(-а) описание группы",
            "Подробнее",
        ],
        group_events: &[
            "создал(-а) группу",
            "добавил(-а)",
            "вышел(-а)",
            "удалил(-а)",
            "изменил(-а) тему",
            "изменил(-а) описание группы",
        ],
        system_before_colon: &["изменил(-а) тему", "описание группы"],
    },
    Locale {
        code: "zh",
        // zh-CN current and older, zh-TW/HK current and older.
        media_omitted: &[
            "<省略影音内容>",
            "<省略多媒体文件>",
            "<已省略多媒體檔案>",
            "<忽略多媒體檔>",
        ],
        omitted: &[
            ("图像已忽略", Image),
            ("照片已忽略", Image),
            ("圖片已略去", Image),
            ("圖像已省略", Image),
            ("视频已忽略", Video),
            ("音频已忽略", Audio),
            ("贴图已忽略", Sticker),
            ("贴图已省略", Sticker),
            ("GIF 动态图已被忽略", Gif),
            ("文档已忽略", Document),
            ("文档已省略", Document),
            ("联系人卡片已忽略", Contact),
        ],
        // A fullwidth colon and no space: `<附件：00000042-PHOTO-….jpg>`.
        attached_open: &["<附件："],
        attached_after_name: &[],
        file_attached: &[" (文件附件)", " (附件檔案)"],
        // A trailing `。` is ignored.
        deleted: &[
            "这条消息已被删除",
            "消息已删除",
            "信息已删除",
            "此訊息已刪除",
            "你已删除这条消息",
            "您已删除这条消息",
            "您已刪除此訊息",
        ],
        edited: &["<这条消息已经过编辑>"],
        system: &[
            "端到端加密",
            "安全代码",
            "创建了群组",
            "添加了",
            "已退出",
            "移除了",
            "更改了群组名称",
            "更改了群组描述",
            "点击了解更多",
        ],
        group_events: &[
            "创建了群组",
            "添加了",
            "已退出",
            "移除了",
            "更改了群组名称",
            "更改了群组描述",
        ],
        system_before_colon: &["更改了群组名称", "更改了群组描述"],
    },
    Locale {
        code: "ar",
        media_omitted: &["<تم استبعاد الوسائط>"],
        omitted: &[
            ("لم يتم إدراج الصورة", Image),
            ("لم يتم إدراج الفيديوهات", Video),
            ("لم يتم إدراج المقاطع الصوتية", Audio),
            ("تم حذف الملصقات", Sticker),
            ("لم يتم إدراج صورة GIF", Gif),
            ("لم يتم إدراج المستند", Document),
            ("لم يتم إدراج بطاقة جهة اتصال", Contact),
        ],
        // `المُرفق` carries a damma (U+064F).
        attached_open: &["<المُرفق: "],
        attached_after_name: &[],
        file_attached: &[" (الملف مرفق)"],
        deleted: &[
            "تم حذف هذه الرسالة",
            "لقد حذفت هذه الرسالة",
            "حذفت هذه الرسالة",
            // iOS, seen in real exports
            "أنت حذفت هذه الرسالة",
            "لقد حذَفت هذه الرسالة",
        ],
        edited: &["<تم تعديل هذه الرسالة>"],
        system: &[
            "مشفرة تمامًا بين الطرفين",
            "رمز الأمان",
            "أنشأ المجموعة",
            "أنشأت المجموعة",
            "أضاف",
            "غادر",
            "أزال",
            "غيّر اسم المجموعة",
            "انقر هنا لمعرفة المزيد",
        ],
        group_events: &[
            "أنشأ المجموعة",
            "أنشأت المجموعة",
            "أضاف",
            "غادر",
            "أزال",
            "غيّر اسم المجموعة",
        ],
        system_before_colon: &["غيّر اسم المجموعة"],
    },
    Locale {
        code: "hi",
        media_omitted: &["<मीडिया के बिना>"],
        omitted: &[
            ("वीडियो छोड़ा गया", Video),
            ("ऑडियो छोड़ा गया", Audio),
            ("स्टिकर छोड़ा गया", Sticker),
            ("GIF छोड़ा गया", Gif),
            ("दस्तावेज़ छोड़ा गया", Document),
            ("संपर्क कार्ड छोड़ा गया", Contact),
            // iOS, seen in a real export
            ("फ़ोटो हटाई गई", Image),
            ("ऑडियो हटाई गयी", Audio),
            ("कॉन्टैक्ट कार्ड छोड़ा गया", Contact),
            ("डॉक्यूमेंट छोड़ा गया", Document),
        ],
        attached_open: &["<अटैच किया गया: "],
        attached_after_name: &[],
        file_attached: &[" (फाइल अटैच कर दी गई है)"],
        deleted: &[
            // Android (2021, 2017)
            "यह मैसेज मिटाया गया",
            "यह संदेश मिटाया गया",
            "आपने यह संदेश मिटाया",
            // iOS, seen in a real export
            "आपने यह मैसेज डिलीट किया",
            "यह मैसेज डिलीट कर दिया गया है",
        ],
        edited: &["<यह संदेश संपादित किया गया था>", "<यह संदेश संपादित किया गया>"],
        system: &[
            "एंड-टू-एंड एन्क्रिप्टेड",
            "सुरक्षा कोड",
            "ने समूह बनाया",
            "को जोड़ा",
            "ने छोड़ दिया",
            "को हटाया",
            "ने विषय बदला",
            "ने समूह का विवरण बदला",
        ],
        group_events: &[
            "ने समूह बनाया",
            "को जोड़ा",
            "ने छोड़ दिया",
            "को हटाया",
            "ने विषय बदला",
            "ने समूह का विवरण बदला",
        ],
        system_before_colon: &["ने विषय बदला", "ने समूह का विवरण बदला"],
    },
    Locale {
        code: "cs",
        media_omitted: &["<Média vynechány>", "<Média vynechána>"],
        omitted: &[
            ("obrázek vynechán", Image),
            ("video vynecháno", Video),
            ("zvukový soubor vynechán", Audio),
            ("Vizitka vynechána", Contact),
            ("nálepka vynechána", Sticker),
            ("GIF vynechán", Gif),
            ("dokument vynechán", Document),
        ],
        attached_open: &["<příloha: "],
        attached_after_name: &[],
        file_attached: &[" (soubor byl přiložen)"],
        deleted: &["Tuto zprávu jste smazal/a", "Tato zpráva byla smazána"],
        edited: &[],
        system: &["koncovým šifrováním", "Bezpečnostní kód mezi vámi"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "id",
        media_omitted: &["<Media tidak disertakan>"],
        omitted: &[
            ("gambar tidak disertakan", Image),
            ("video tidak disertakan", Video),
            ("audio tidak disertakan", Audio),
            ("Kartu kontak tidak disertakan", Contact),
            ("stiker tidak disertakan", Sticker),
            ("GIF tidak disertakan", Gif),
            ("dokumen tidak disertakan", Document),
        ],
        attached_open: &["<terlampir: "],
        attached_after_name: &[],
        file_attached: &[" (file terlampir)"],
        deleted: &[
            "Anda menghapus pesan ini",
            "Pesan ini dihapus",
            "Pesan ini telah dihapus",
        ],
        edited: &["<Pesan ini diedit>"],
        system: &["terenkripsi secara end-to-end", "Kode keamanan Anda dengan"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "ja",
        media_omitted: &["<メディアなし>", "<メディアは含まれていません>"],
        omitted: &[
            ("画像は含まれていません", Image),
            ("ビデオは含まれていません", Video),
            ("音声は含まれていません", Audio),
            ("連絡先カードを省略", Contact),
            ("スタンプは含まれていません", Sticker),
            ("GIFは含まれていません", Gif),
            ("ドキュメントは含まれていません", Document),
        ],
        attached_open: &["<添付ファイル：", "<添付ファイル: "],
        attached_after_name: &[],
        file_attached: &[" (添付ファイル有り)"],
        deleted: &[
            "このメッセージを削除しました",
            "このメッセージは削除されました",
        ],
        edited: &[],
        system: &[
            "エンドツーエンド暗号化されています",
            "セキュリティコードが変更されました",
        ],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "th",
        media_omitted: &["<ไฟล์สื่อถูกลบ>", "<สื่อถูกลบ>"],
        omitted: &[
            ("ไม่มีรูปภาพ", Image),
            ("วิดีโอถูกลบ", Video),
            ("ไม่มีไฟล์เสียง", Audio),
            ("บัตรรายชื่อที่ละเว้น", Contact),
            ("ไม่มีสติกเกอร์", Sticker),
            ("ละเว้น GIF", Gif),
            ("ละเว้นเอกสาร", Document),
        ],
        attached_open: &["<แนบ: "],
        attached_after_name: &[],
        file_attached: &[" (ไฟล์ที่แนบ)"],
        deleted: &["คุณได้ลบข้อความนี้", "ข้อความนี้ถูกลบแล้ว"],
        edited: &[],
        system: &["ได้รับการเข้ารหัสจากต้นทางถึงปลายทาง", "รหัสความปลอดภัยของคุณกับ"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "uk",
        media_omitted: &["<Медіа пропущено>"],
        omitted: &[
            ("зображення відсутнє", Image),
            ("відео відсутнє", Video),
            ("аудіо відсутнє", Audio),
            ("Картка контакту відсутня", Contact),
            ("Наклейку не додано", Sticker),
            ("GIF-анімацію пропущено", Gif),
            ("документ пропущено", Document),
        ],
        attached_open: &["<додано: "],
        attached_after_name: &[],
        file_attached: &[" (файл додано)"],
        deleted: &[
            "Ви видалили це повідомлення",
            "Це повідомлення було видалено",
        ],
        edited: &[],
        system: &["захищено наскрізним шифруванням", "Код безпеки з контактом"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "vi",
        media_omitted: &["<Bỏ qua Media>", "<bỏ qua tệp phương tiện>"],
        omitted: &[
            ("đã bỏ qua hình ảnh", Image),
            ("đã bỏ video", Video),
            ("bỏ qua tệp âm thanh", Audio),
            ("Bỏ qua thẻ liên lạc", Contact),
            ("đã bỏ sticker", Sticker),
            ("Đã bỏ qua ảnh GIF", Gif),
            ("đã bỏ qua tài liệu", Document),
        ],
        attached_open: &["<đính kèm: "],
        attached_after_name: &[],
        file_attached: &[" (tệp đính kèm)"],
        deleted: &[
            "Bạn đã xoá tin nhắn này",
            "Bạn đã xóa tin nhắn này",
            "Tin nhắn này đã bị xóa",
            "Tin nhắn này đã bị xoá",
        ],
        edited: &[],
        system: &["được mã hóa đầu cuối", "Mã bảo mật của bạn với"],
        group_events: &[],
        system_before_colon: &[],
    },
    // The locales below: strings seen in real exports (marked), and otherwise
    // WhatsApp's own strings as the whats_json project tabulates them from the
    // app's iOS Localizable.strings (22.24) and Android strings.xml, with the
    // wordings several independent parsers agree on (docs/formats/whatsapp.md,
    // "Bodies: placeholders, deleted, edited").
    Locale {
        code: "ko",
        // `<미디어 파일 제외됨>` seen in real Korean Android exports; the older one.
        media_omitted: &["<미디어 파일 제외됨>", "<미디어 파일을 생략한 대화내용>"],
        omitted: &[
            ("이미지 생략됨", Image),
            ("비디오 생략됨", Video),
            ("오디오 생략됨", Audio),
            ("스티커 제외됨", Sticker),
            ("GIF 생략됨", Gif),
            ("문서 생략됨", Document),
            ("연락처 카드 생략됨", Contact),
        ],
        attached_open: &["<첨부됨: "],
        attached_after_name: &[],
        file_attached: &[" (파일 첨부됨)"],
        deleted: &[
            "이 메시지는 삭제되었습니다",
            "삭제한 메시지입니다",
            "이 메시지를 삭제했습니다",
        ],
        edited: &[],
        system: &[
            "종단간 암호화",
            "보안 코드가 변경되었습니다",
            "그룹을 만들었습니다",
        ],
        group_events: &["그룹을 만들었습니다", "그룹에 추가되었습니다"],
        system_before_colon: &[],
    },
    Locale {
        code: "he",
        // Current Android (seen in real exports) and the older one.
        media_omitted: &["<המדיה לא נכללה>", "<מדיה הושמטה>"],
        omitted: &[
            ("התמונה הושמטה", Image),
            ("סרטון הווידאו הושמט", Video),
            ("השמע הושמט", Audio),
            ("קטע קול הושמט", Audio),
            ("סטיקר הושמט", Sticker),
            ("GIF הושמט", Gif),
            ("מסמך הושמט", Document),
            ("כרטיס איש קשר הושמט", Contact),
        ],
        attached_open: &["<מצורף: "],
        attached_after_name: &[],
        file_attached: &[" (קובץ מצורף)"],
        deleted: &[
            "הודעה זו נמחקה",
            "ההודעה נמחקה",
            "מחקת את ההודעה הזו",
            "מחקת הודעה זו",
        ],
        edited: &["<ההודעה נערכה>"],
        system: &[
            "מוצפנות מקצה",
            "קוד האבטחה",
            "יצר/ה את הקבוצה",
            "הוסיף/ה",
            "עזב/ה",
            "הסיר/ה",
        ],
        group_events: &["יצר/ה את הקבוצה", "הוסיף/ה", "עזב/ה", "הסיר/ה"],
        system_before_colon: &[],
    },
    Locale {
        code: "tr",
        // `<Medya dahil edilmedi>` seen in real Turkish Android exports.
        media_omitted: &["<Medya dahil edilmedi>", "<Medya atlanmış>"],
        omitted: &[
            // `görüntü dahil edilmedi` seen in a real iOS export.
            ("görüntü dahil edilmedi", Image),
            ("video dahil edilmedi", Video),
            ("ses dahil edilmedi", Audio),
            ("Çıkartma dahil edilmedi", Sticker),
            ("GIF dahil edilmedi", Gif),
            ("belge dahil edilmedi", Document),
            ("Kişi kartı dahil edilmedi", Contact),
        ],
        attached_open: &[],
        // iOS writes the file name first: `<NAME eklendi>` (reported by several
        // Turkish parsers).
        attached_after_name: &[" eklendi"],
        file_attached: &[" (dosya ekli)"],
        deleted: &["Bu mesaj silindi", "Bu mesajı sildiniz"],
        edited: &["<Bu mesaj düzenlendi>"],
        system: &[
            "uçtan uca şifreli",
            "güvenlik kodu değişti",
            "grubunu oluşturdu",
            "kişisini ekledi",
            "kişisini çıkardı",
            "ayrıldı",
            "grup açıklamasını değiştirdi",
            "bağlantısıyla katıldı",
        ],
        group_events: &[
            "grubunu oluşturdu",
            "kişisini ekledi",
            "kişisini çıkardı",
            "grup açıklamasını değiştirdi",
            "bağlantısıyla katıldı",
        ],
        system_before_colon: &[],
    },
    Locale {
        code: "pl",
        // `<Pominięto multimedia>` as a parser author saw it in his own exports;
        // the older Android one; `<Multimedia pominięte>` (one fixture).
        media_omitted: &[
            "<Pominięto multimedia>",
            "<pliki pominięto>",
            "<Multimedia pominięte>",
        ],
        omitted: &[
            ("obraz pominięty", Image),
            ("wideo pominięte", Video),
            ("audio pominięte", Audio),
            ("pominięto naklejkę", Sticker),
            ("Plik GIF pominięty", Gif),
            ("dokument pominięty", Document),
            ("Pominięta wizytówka kontaktu", Contact),
        ],
        attached_open: &["<załączono: "],
        attached_after_name: &[],
        file_attached: &[" (załączony plik)"],
        deleted: &[
            "Ta wiadomość została usunięta",
            "Usunięto tę wiadomość",
            "Usunąłeś(-ęłaś) tę wiadomość",
            "Usunąłeś(aś) tę wiadomość",
        ],
        edited: &[],
        system: &["są w pełni zaszyfrowane", "kod zabezpieczeń"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "sv",
        media_omitted: &["<Media har utelämnats>", "<media utelämnat>"],
        omitted: &[
            ("bild utesluten", Image),
            ("video utesluten", Video),
            // As the app's strings spell it, and as it would be spelt.
            ("ljud utelslutet", Audio),
            ("ljud uteslutet", Audio),
            ("sticker utesluten", Sticker),
            ("GIF utesluten", Gif),
            ("dokument uteslutet", Document),
            ("Kontaktkort uteslutet", Contact),
        ],
        attached_open: &["<bifogat: "],
        attached_after_name: &[],
        file_attached: &[" (bifogad fil)"],
        deleted: &[
            "Det här meddelandet raderades",
            "Detta meddelande raderades",
            "Du raderade det här meddelandet",
            "Du raderade detta meddelande",
            "Du har tagit bort meddelandet",
        ],
        edited: &[],
        system: &["komplett krypterade"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "da",
        media_omitted: &["<Mediefil udeladt>", "<medier udeladt>"],
        omitted: &[
            ("billede udeladt", Image),
            ("video udeladt", Video),
            ("lyd udeladt", Audio),
            ("klistermærke udeladt", Sticker),
            ("GIF udeladt", Gif),
            ("dokument udeladt", Document),
            ("Kontaktkort udeladt", Contact),
        ],
        attached_open: &["<vedhæftet: "],
        attached_after_name: &[],
        file_attached: &[" (fil vedhæftet)"],
        deleted: &[
            "Denne besked er blevet slettet",
            "Denne besked blev slettet",
            "Du har slettet denne besked",
            "Du slettede denne besked",
        ],
        edited: &[],
        system: &["end-to-end-krypterede", "sikkerhedskode for"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "nb",
        media_omitted: &["<Uten vedlegg>", "<media utelatt>"],
        omitted: &[
            ("bilde ikke inkludert", Image),
            ("video utelatt", Video),
            ("lyd utelatt", Audio),
            ("klistremerke utelatt", Sticker),
            ("GIF utelatt", Gif),
            ("utelatt dokument", Document),
            ("Kontaktkort sløyfet", Contact),
        ],
        attached_open: &["<vedlagt: "],
        attached_after_name: &[],
        file_attached: &[" (vedlagt fil)"],
        deleted: &["Denne meldingen ble slettet", "Du slettet denne meldingen"],
        edited: &[],
        system: &["ende-til-ende-krypterte", "Sikkerhetskoden med"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "fi",
        // The older Android one (a parser's real export) and the newer one.
        media_omitted: &["<Media jätetty pois>", "<Mediaa ei sisällytetty>"],
        // The app's image string `ei kuvaa` ("no picture") is left out: people
        // write it as a whole message.
        omitted: &[
            ("videota ei sisällytetä", Video),
            ("äänitiedostoa ei sisällytetä", Audio),
            ("tarraa ei sisällytetty", Sticker),
            ("GIF-animaatio jätetty pois", Gif),
            ("dokumenttia ei sisällytetä", Document),
            ("Yhteystietokortti jätettiin pois", Contact),
        ],
        // `<liite: 00000074-PHOTO-….jpg>` seen in a real Finnish iPhone export.
        attached_open: &["<liite: "],
        attached_after_name: &[],
        file_attached: &[" (liitetiedosto)"],
        deleted: &["Tämä viesti poistettiin", "Poistit tämän viestin"],
        edited: &[],
        // `Viestit ja puhelut ovat täysin salattuja.` seen in a real export.
        system: &[
            "Viestit ja puhelut ovat täysin salattuja",
            "Viestit ja puhelut salataan täysin",
            "Turvanumerosi muuttui",
            "loi ryhmän",
            "muutti ryhmän nimeksi",
        ],
        group_events: &["loi ryhmän", "muutti ryhmän nimeksi"],
        system_before_colon: &[],
    },
    Locale {
        code: "el",
        media_omitted: &["<Εξαίρεση πολυμέσων>", "<αρχείο παραλήφθηκε>"],
        omitted: &[
            ("εικόνα παραλείφθηκε", Image),
            ("βίντεο παραλείφθηκε", Video),
            ("ήχος παραλείφθηκε", Audio),
            ("αυτοκόλλητο παραλήφθηκε", Sticker),
            ("Παράληψη GIF", Gif),
            ("έγγραφο παραλείφθηκε", Document),
            ("Η κάρτα επαφής παραλήφθηκε", Contact),
        ],
        attached_open: &["<επισυνάφθηκε: "],
        attached_after_name: &[],
        file_attached: &[" (συνημμένο αρχείο)"],
        deleted: &["Αυτό το μήνυμα διαγράφηκε", "Διαγράψατε αυτό το μήνυμα"],
        edited: &[],
        system: &["κρυπτογραφούνται πλήρως", "κωδικός ασφαλείας σας με"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "ro",
        media_omitted: &["<Conținut media omis>"],
        omitted: &[
            ("Imagine omisă", Image),
            // The app's audio string `fără audio` ("without audio") is left out:
            // people write it as a whole message.
            ("clip video omis", Video),
            ("GIF omis", Gif),
            ("document omis", Document),
            ("Carte de vizită contact omisă", Contact),
        ],
        attached_open: &["<atașare: "],
        attached_after_name: &[],
        file_attached: &[" (fișier atașat)"],
        deleted: &["Acest mesaj a fost șters", "Ați șters acest mesaj"],
        edited: &["<Acest mesaj a fost editat>"],
        system: &["criptate integral", "Codul dvs. de securitate cu"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "hu",
        media_omitted: &["<Hiányzó médiafájl>", "<média elhagyva>"],
        omitted: &[
            ("Videó kihagyva", Video),
            ("Hang kihagyása", Audio),
            ("matrica kihagyva", Sticker),
            ("GIF fájl kihagyása", Gif),
            ("dokumentum kihagyva", Document),
            ("Névjegykártya kihagyva", Contact),
        ],
        attached_open: &["<csatolva: "],
        attached_after_name: &[],
        file_attached: &[" (fájl csatolva)"],
        deleted: &[
            "Ez az üzenet törlésre került",
            "Ezt az üzenetet törölted",
            "Törölted ezt az üzenetet",
        ],
        edited: &[],
        system: &[
            "végpontok közötti titkosítással",
            "biztonsági kódja megváltozott",
        ],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "ms",
        media_omitted: &["<Media disingkirkan>", "<media dikecualikan>"],
        omitted: &[
            ("imej tidak dimasukkan", Image),
            ("Imej tidak disertakan", Image),
            ("video tidak dimasukkan", Video),
            ("audio tidak dimasukkan", Audio),
            ("pelekat tidak disertakan", Sticker),
            ("GIF tidak dimasukkan", Gif),
            ("dokumen tidak dimasukkan", Document),
            ("Kad kenalan tidak dimasukkan", Contact),
        ],
        attached_open: &["<dilampir: "],
        attached_after_name: &[],
        file_attached: &[" (fail dilampirkan)"],
        deleted: &[
            "Mesej ini telah dipadam",
            "Anda telah memadamkan mesej ini",
            "Anda telah memadam mesej ini",
        ],
        edited: &[],
        system: &["disulitkan", "Kod keselamatan anda dengan"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "ca",
        media_omitted: &["<Fitxers multimèdia omesos>", "<Mitjans omesos>"],
        omitted: &[
            ("Imatge omesa", Image),
            ("vídeo omès", Video),
            ("Àudio omès", Audio),
            ("adhesiu omès", Sticker),
            ("GIF omès", Gif),
            ("Document omès", Document),
            ("Targeta de contacte omesa", Contact),
        ],
        attached_open: &["<adjunt: "],
        attached_after_name: &[],
        file_attached: &[" (fitxer adjunt)", " (arxiu adjunt)"],
        deleted: &[
            "Aquest missatge s'ha eliminat",
            "Aquest missatge s'ha suprimit",
            "Aquest missatge està esborrat",
            "Has eliminat aquest missatge",
            "Has suprimit aquest missatge",
            "Has esborrat aquest missatge",
        ],
        edited: &["<Aquest missatge s'ha editat>"],
        system: &["d'extrem a extrem", "codi de seguretat amb"],
        group_events: &[],
        system_before_colon: &[],
    },
    Locale {
        code: "fa",
        media_omitted: &["<رسانه حذف شد>"],
        omitted: &[
            ("تصویر حذف شد", Image),
            ("ویدیو حذف شد", Video),
            ("صدا حذف شد", Audio),
            ("استیکر حذف شد", Sticker),
            ("GIF حذف شد", Gif),
            ("سند حذف شد", Document),
            ("برگ مخاطب حذف شد", Contact),
        ],
        attached_open: &["<پیوست: "],
        attached_after_name: &[],
        file_attached: &[],
        deleted: &[
            "این پیام حذف شده است",
            "این پیام حذف شد",
            "شما این پیام را حذف کردید",
        ],
        edited: &[],
        system: &["سرتاسر رمزگذاری", "کد امنیتی شما با"],
        group_events: &[],
        system_before_colon: &[],
    },
];

/// Old iOS attachment suffix: `2015-08-04-PHOTO-00004762.jpg <attached>`.
pub const OLD_IOS_ATTACHED: &str = " <attached>";

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Longest ASCII text lowercased on the stack by [`with_lower`].
const STACK_LOWER: usize = 256;

/// Runs `f` on `s` lowercased (as [`str::to_lowercase`] would), without
/// allocating for short ASCII text (where Unicode and ASCII lowercasing agree).
fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    if s.len() <= STACK_LOWER && s.is_ascii() {
        let mut buf = [0u8; STACK_LOWER];
        if let Some(dst) = buf.get_mut(..s.len()) {
            dst.copy_from_slice(s.as_bytes());
            dst.make_ascii_lowercase();
            if let Ok(l) = std::str::from_utf8(dst) {
                return f(l);
            }
        }
    }
    f(&lower(s))
}

/// The tables above, lowercased once, for matching every message quickly.
struct Tables {
    media_omitted: HashSet<String>,
    omitted: HashMap<String, MediaKind>,
    /// The document placeholders (lowercased), their byte lengths, and the last
    /// bytes they end with (ASCII in either case): for `NAME document omitted` bodies.
    documents: HashSet<String>,
    document_lens: Vec<usize>,
    document_ends: [bool; 256],
    deleted: HashSet<String>,
    /// Longest exact-match string (bytes): longer bodies cannot be placeholders.
    max_exact: usize,
    /// For ASCII text: whether any exact-match string has this length and this
    /// (lowercase) first byte, indexed `len * 128 + byte`.
    exact_shapes: Vec<bool>,
    edited: Vec<String>,
    attached_open: Vec<String>,
    /// Lowercased, as [`tail_is`] compares them.
    attached_after_name: Vec<String>,
    file_attached: Vec<String>,
    system: Patterns,
    group_events: Patterns,
    before_colon: Patterns,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let all = || LOCALES.iter();
    let media_omitted: HashSet<String> = all()
        .flat_map(|l| l.media_omitted.iter())
        .map(|p| lower(p))
        .collect();
    let omitted: HashMap<String, MediaKind> = all()
        .flat_map(|l| l.omitted.iter())
        .map(|(p, k)| (lower(p), *k))
        .collect();
    let documents: HashSet<String> = omitted
        .iter()
        .filter(|(_, k)| **k == Document)
        .map(|(p, _)| p.clone())
        .collect();
    let mut document_lens: Vec<usize> = documents.iter().map(String::len).collect();
    document_lens.sort_unstable();
    document_lens.dedup();
    let mut document_ends = [false; 256];
    for last in documents.iter().filter_map(|p| p.as_bytes().last()) {
        for b in [*last, last.to_ascii_uppercase()] {
            if let Some(slot) = document_ends.get_mut(usize::from(b)) {
                *slot = true;
            }
        }
    }
    let deleted: HashSet<String> = all()
        .flat_map(|l| l.deleted.iter())
        .map(|p| lower(p.trim_end_matches('.')))
        .collect();
    let max_exact = media_omitted
        .iter()
        .chain(omitted.keys())
        .chain(deleted.iter())
        .map(String::len)
        .max()
        .unwrap_or(0)
        * 2;
    let mut exact_shapes = vec![false; (max_exact + 1) * 128];
    for p in media_omitted
        .iter()
        .chain(omitted.keys())
        .chain(deleted.iter())
        .filter(|p| p.is_ascii())
    {
        if let Some(&b) = p.as_bytes().first()
            && let Some(slot) = exact_shapes.get_mut(p.len() * 128 + usize::from(b))
        {
            *slot = true;
        }
    }
    Tables {
        media_omitted,
        omitted,
        documents,
        document_lens,
        document_ends,
        deleted,
        max_exact,
        exact_shapes,
        edited: all()
            .flat_map(|l| l.edited.iter())
            .map(|p| lower(p))
            .collect(),
        // Also with a space after the `<` (`< attached: NAME >`, one of the
        // attachment forms the npm whatsapp-chat-parser reads).
        attached_open: all()
            .flat_map(|l| l.attached_open.iter())
            .flat_map(|p| {
                let spaced = p.strip_prefix('<').map(|rest| format!("< {rest}"));
                std::iter::once(p.to_string()).chain(spaced)
            })
            .collect(),
        attached_after_name: all()
            .flat_map(|l| l.attached_after_name.iter())
            .map(|p| lower(p))
            .collect(),
        file_attached: all()
            .flat_map(|l| l.file_attached.iter())
            .map(|p| lower(p))
            .collect(),
        system: all()
            .flat_map(|l| l.system.iter())
            .map(|p| lower(p))
            .collect(),
        group_events: all()
            .flat_map(|l| l.group_events.iter())
            .map(|p| lower(p))
            .collect(),
        before_colon: all()
            .flat_map(|l| l.system_before_colon.iter())
            .map(|p| lower(p))
            .collect(),
    }
});

/// Runs `f` on `s` lowercased, when short enough to be an exact-match marker;
/// `false` otherwise.
fn short_lower_is(s: &str, f: impl FnOnce(&str) -> bool) -> bool {
    may_be_exact(s) && with_lower(s, f)
}

/// Whether `s` may equal (ignoring case) one of the exact-match strings: short
/// enough, and, for ASCII text, of the length and first letter of one of them.
fn may_be_exact(s: &str) -> bool {
    if s.len() > TABLES.max_exact {
        return false;
    }
    match s.as_bytes().first() {
        Some(&b) if s.is_ascii() => TABLES
            .exact_shapes
            .get(s.len() * 128 + usize::from(b.to_ascii_lowercase()))
            .copied()
            .unwrap_or(false),
        _ => true,
    }
}

/// `s` equals `pattern` ignoring case.
pub fn eq_ci(s: &str, pattern: &str) -> bool {
    s.len() <= pattern.len() * 2 + 8 && lower(s) == lower(pattern)
}

/// The Android media-omitted placeholder, when the whole body is one.
pub fn media_omitted(body: &str) -> bool {
    short_lower_is(body, |b| TABLES.media_omitted.contains(b))
}

/// The kind an iOS media-omitted body tells, when the whole body is one.
pub fn omitted_kind(body: &str) -> Option<MediaKind> {
    if !may_be_exact(body) {
        return None;
    }
    with_lower(body, |b| TABLES.omitted.get(b).copied())
}

/// An iOS document placeholder that names the file (any language):
/// `Template.docx document omitted`, `Resume.pdf • 2 pages document omitted`.
/// The text before the placeholder: the file name, and the descriptor after
/// its ` • ` (page count), if any. Invisible marks must be removed first.
pub fn named_document_omitted(body: &str) -> Option<(&str, Option<&str>)> {
    let last = *body.as_bytes().last()?;
    if !TABLES
        .document_ends
        .get(usize::from(last))
        .copied()
        .unwrap_or(false)
    {
        return None;
    }
    for &len in &TABLES.document_lens {
        let Some(cut) = body.len().checked_sub(len) else {
            break;
        };
        if cut < 2 || body.as_bytes().get(cut - 1) != Some(&b' ') || !body.is_char_boundary(cut) {
            continue;
        }
        let tail = body.get(cut..)?;
        if !with_lower(tail, |t| TABLES.documents.contains(t)) {
            continue;
        }
        let head = body.get(..cut - 1)?.trim();
        let (name, descriptor) = match head.split_once('\u{2022}') {
            Some((name, d)) => (name.trim(), Some(d.trim()).filter(|d| !d.is_empty())),
            None => (head, None),
        };
        return (!name.is_empty()).then_some((name, descriptor));
    }
    None
}

/// The deleted marker, when the whole body is one (a trailing `.` or `。` ignored).
pub fn is_deleted(body: &str) -> bool {
    let b = body.trim().trim_end_matches(['.', '\u{3002}']);
    short_lower_is(b, |b| TABLES.deleted.contains(b))
}

/// The lowercased last `n` bytes of `s` (moved back to a char boundary), and where they start.
fn lower_tail(s: &str, n: usize) -> Option<(usize, String)> {
    let cut = s.len().checked_sub(n)?;
    if !s.is_char_boundary(cut) {
        return None;
    }
    Some((cut, lower(s.get(cut..)?)))
}

/// Where the last `p.len()` bytes of `s` start, when they lowercased equal `p`
/// (as [`lower_tail`] then a comparison, without allocating for ASCII tails).
fn tail_is(s: &str, p: &str) -> Option<usize> {
    let cut = s.len().checked_sub(p.len())?;
    let tail = s.get(cut..)?;
    with_lower(tail, |t| t == p).then_some(cut)
}

/// The body without a trailing edited marker, when it has one.
pub fn strip_edited(body: &str) -> Option<&str> {
    let trimmed = body.trim_end();
    if !trimmed.ends_with('>') {
        return None;
    }
    for p in &TABLES.edited {
        if let Some(cut) = tail_is(trimmed, p) {
            return trimmed.get(..cut).map(str::trim_end);
        }
    }
    None
}

/// WhatsApp Web / Desktop's deleted-by-admin body, which names the admin:
/// `This message was deleted by admin NAME`.
const DELETED_BY_ADMIN: &str = "this message was deleted by admin ";

/// WhatsApp Web / Desktop's body for a message it could not decrypt.
const WAITING: &str = "waiting for this message";

/// WhatsApp Web / Desktop's prefixes of a forwarded message's body.
const FORWARDED: [&str; 2] = ["[Forwarded many times] ", "[Forwarded] "];

/// WhatsApp Web / Desktop's line above the first message when the export was
/// cut at its message limit (the oldest messages are missing).
const EARLIER_MISSING: &str = "some earlier messages may not be available";

/// A line WhatsApp Web / Desktop writes above the first message, with no header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preamble {
    /// The end-to-end encryption banner.
    Banner,
    /// [`EARLIER_MISSING`]: the export was cut at its message limit.
    EarlierMissing,
}

/// Whether a body is WhatsApp Web's deleted-by-admin marker with the admin's name.
pub fn is_deleted_by_admin(body: &str) -> bool {
    let b = body.trim();
    b.len() > DELETED_BY_ADMIN.len()
        && b.get(..DELETED_BY_ADMIN.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(DELETED_BY_ADMIN))
}

/// Whether a body is the "Waiting for this message. This may take a while."
/// placeholder: the app had not decrypted the message when the chat was exported.
pub fn is_waiting(body: &str) -> bool {
    let b = body.trim();
    let Some(head) = b.get(..WAITING.len()) else {
        return false;
    };
    head.eq_ignore_ascii_case(WAITING) && b.len() <= WAITING.len() + 32
}

/// The body without WhatsApp Web's `[Forwarded] ` prefix, when it has one.
pub fn strip_forwarded(body: &str) -> Option<&str> {
    FORWARDED.iter().find_map(|p| body.strip_prefix(p))
}

/// Why a WhatsApp Web Markdown export is refused: an older web build wrote only
/// `chat.md` (or `TITLE.md`); current builds put `chat.txt` beside it.
pub const WEB_MARKDOWN: &str = "this looks like WhatsApp Web's Markdown export (`# WhatsApp Chat Export: …`), \
     which chatwarden does not read: export the chat again from a current WhatsApp Web or \
     Desktop, whose zip also holds the plain-text `chat.txt`";

/// Whether a first line is the title line of WhatsApp Web's Markdown export
/// (`# WhatsApp Chat Export: TITLE`; the words may be translated, the brand is not).
pub fn is_web_markdown_title(line: &str) -> bool {
    let l = line.trim_start_matches('\u{FEFF}');
    l.starts_with("# ") && l.contains("WhatsApp") && l.contains(": ")
}

/// Which header-less line WhatsApp Web writes above the first message a line is.
pub fn preamble(line: &str) -> Option<Preamble> {
    let l = line.trim().trim_end_matches('.');
    if l.eq_ignore_ascii_case(EARLIER_MISSING) {
        return Some(Preamble::EarlierMissing);
    }
    (l.len() < 200
        && with_lower(l, |l| {
            l.starts_with("messages and calls are end-to-end encrypted")
        }))
    .then_some(Preamble::Banner)
}

/// A WhatsApp Web `<… omitted> caption` body: the kind the bracketed placeholder
/// tells, the placeholder, and the caption after it (may be empty).
pub fn omitted_with_caption(body: &str) -> Option<(MediaKind, &str, &str)> {
    let rest = body.strip_prefix('<')?;
    let close = rest.find('>')?;
    let inner = rest.get(..close)?;
    let placeholder = body.get(..close + 2)?;
    let caption = rest.get(close + 1..)?;
    if !caption.is_empty() && !caption.starts_with(' ') {
        return None;
    }
    let kind = if media_omitted(placeholder) {
        MediaKind::Other
    } else {
        omitted_kind(inner)?
    };
    Some((kind, placeholder, caption.trim()))
}

/// A WhatsApp Web `NAME (file attached) caption` body: the file name and the
/// caption after the marker (a body ending with the marker is [`attached_name`]'s).
pub fn attached_with_caption(line: &str) -> Option<(&str, &str)> {
    // Every marker ends with `)`, and a caption follows it: most lines have no `) `.
    if !line.contains(") ") {
        return None;
    }
    // Positions found in the lowercased line hold in the line itself only when
    // lowercasing kept every byte length (true of the scripts these markers use).
    let lowered = lower(line);
    if lowered.len() != line.len() {
        return None;
    }
    for marker in &TABLES.file_attached {
        let marker = format!("{marker} ");
        if let Some(pos) = lowered.find(&marker)
            && line
                .get(pos..pos + marker.len())
                .is_some_and(|m| lower(m) == marker)
        {
            let name = line.get(..pos)?.trim();
            let caption = line.get(pos + marker.len()..)?.trim();
            if !name.is_empty() && !caption.is_empty() {
                return Some((name, caption));
            }
        }
    }
    None
}

/// The file name of an iOS `…<attached: NAME>` (Turkish `<NAME eklendi>`) or
/// Android `NAME (file attached)` body line, and whatever text stood before an
/// iOS placeholder.
pub fn attached_name(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_end();
    if let Some(head) = t.strip_suffix('>') {
        for open in &TABLES.attached_open {
            if let Some(pos) = find_ci(head, open) {
                let name = head.get(pos + open.len()..)?.trim();
                if !name.is_empty() {
                    return Some((name, head.get(..pos)?.trim_end()));
                }
            }
        }
        for after in &TABLES.attached_after_name {
            if let Some(cut) = tail_is(head, after)
                && let Some(inner) = head.get(..cut)
                && let Some(lt) = inner.rfind('<')
            {
                let name = inner.get(lt + 1..)?.trim();
                if !name.is_empty() {
                    return Some((name, inner.get(..lt)?.trim_end()));
                }
            }
        }
        if let Some(name) = strip_suffix_ci(t, OLD_IOS_ATTACHED)
            && !name.trim().is_empty()
            && !name.contains(' ')
        {
            return Some((name.trim(), ""));
        }
        return None;
    }
    if !t.ends_with(')') {
        return None;
    }
    for suffix in &TABLES.file_attached {
        if let Some(cut) = tail_is(t, suffix) {
            let name = t.get(..cut)?.trim();
            if !name.is_empty() {
                return Some((name, ""));
            }
        }
    }
    None
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let (cut, tail) = lower_tail(s, suffix.len())?;
    if tail == lower(suffix) {
        s.get(..cut)
    } else {
        None
    }
}

/// Byte position of the last occurrence of a pattern, as written or with its
/// second character capitalised (`<Attached: `).
fn find_ci(hay: &str, pat: &str) -> Option<usize> {
    if let Some(p) = hay.rfind(pat) {
        return Some(p);
    }
    let mut cap = String::with_capacity(pat.len());
    let mut chars = pat.chars();
    if let Some(first) = chars.next() {
        cap.push(first);
        if let Some(second) = chars.next() {
            cap.extend(second.to_uppercase());
        }
        cap.extend(chars);
    }
    hay.rfind(&cap)
}

fn contains_any(text: &str, patterns: &Patterns) -> bool {
    let found = |l: &str, list: &[Finder<'static>]| {
        list.iter()
            .any(|f| f.needle().len() <= l.len() && f.find(l.as_bytes()).is_some())
    };
    if text.is_ascii() {
        // Lowercased ASCII text can only hold ASCII patterns.
        return with_lower(text, |l| found(l, &patterns.ascii));
    }
    found(&lower(text), &patterns.all)
}

/// Lowercased phrases as prebuilt substring searchers, with the ASCII ones apart.
struct Patterns {
    all: Vec<Finder<'static>>,
    ascii: Vec<Finder<'static>>,
}

impl FromIterator<String> for Patterns {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let all: Vec<String> = iter.into_iter().collect();
        let finder = |p: &String| Finder::new(p.as_bytes()).into_owned();
        Patterns {
            ascii: all.iter().filter(|p| p.is_ascii()).map(finder).collect(),
            all: all.iter().map(finder).collect(),
        }
    }
}

/// Events WhatsApp writes as if a person had sent them, even with no LRM before
/// the text (seen in real Android exports: `Alam: You turned off disappearing
/// messages. Tap to change.`): the start and the end of the whole text, as the
/// app writes them (case kept), so a person quoting a part stays a message.
const ATTRIBUTED_EVENTS: [(&str, &str); 4] = [
    ("You turned on disappearing messages. ", " Tap to change."),
    ("You turned off disappearing messages.", " Tap to change."),
    ("Your security code with ", " changed. Tap to learn more."),
    (
        "Messages and calls are end-to-end encrypted. ",
        ", can read or listen to them.",
    ),
];

/// A whole body that is one of [`ATTRIBUTED_EVENTS`] (as written: a body with a
/// leading LRM is iOS's, which [`is_system_text`] reads).
pub fn is_attributed_event(body: &str) -> bool {
    let b = body.trim();
    // Every event above starts with `Y` or `M`: most bodies end here.
    matches!(b.as_bytes().first(), Some(b'Y' | b'M'))
        && b.len() < 400
        && ATTRIBUTED_EVENTS.iter().any(|(start, end)| {
            b.len() >= start.len() + end.len() && b.starts_with(start) && b.ends_with(end)
        })
}

/// The body (or its start) is a system event text in any known language.
pub fn is_system_text(text: &str) -> bool {
    contains_any(text, &TABLES.system)
}

/// A system line that only a group chat has.
pub fn is_group_event(text: &str) -> bool {
    contains_any(text, &TABLES.group_events)
}

/// The text before the first `": "` of a line is part of a group event.
pub fn is_system_before_colon(head: &str) -> bool {
    contains_any(head, &TABLES.before_colon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_table() {
        for code in [
            "en", "de", "fr", "es", "pt", "it", "nl", "ru", "zh", "ar", "hi",
        ] {
            let l = LOCALES.iter().find(|l| l.code == code).unwrap();
            assert!(
                !l.media_omitted.is_empty() && !l.omitted.is_empty(),
                "{code}"
            );
            assert!(
                !l.attached_open.is_empty() && !l.file_attached.is_empty(),
                "{code}"
            );
            assert!(!l.deleted.is_empty() && !l.edited.is_empty(), "{code}");
            assert!(!l.system.is_empty() && !l.group_events.is_empty(), "{code}");
        }
    }

    #[test]
    fn stack_lowercasing_agrees_with_unicode_lowercasing() {
        for s in [
            "ABC def",
            "Straße",
            "İstanbul",
            "\u{212A}elvin",
            "",
            &"X".repeat(300),
        ] {
            assert_eq!(with_lower(s, str::to_owned), s.to_lowercase());
        }
        assert!(is_system_text("Bob ADDED Ann"));
        assert!(is_system_text("ДОБАВИЛ(-А)"));
        assert!(!is_system_text("nothing here"));
    }

    #[test]
    fn exact_prefilter_lets_every_marker_through() {
        for l in LOCALES {
            for p in l
                .media_omitted
                .iter()
                .chain(l.deleted)
                .chain(l.omitted.iter().map(|(p, _)| p))
            {
                assert!(may_be_exact(p), "{p}");
                // An upper-case form the lowercase match would accept (Turkish
                // `ı` upper-cases to `I`, which lower-cases to `i`: not one).
                let upper = p.to_uppercase();
                assert!(
                    may_be_exact(&upper)
                        || !upper.is_ascii()
                        || upper.to_lowercase() != p.to_lowercase(),
                    "{p}"
                );
            }
        }
        assert!(!may_be_exact("ok"));
        assert!(is_deleted("THIS MESSAGE WAS DELETED"));
    }

    /// Every string of every locale is recognized in its place (the tables
    /// are wired: a string in the wrong list, or one the matchers cannot reach,
    /// fails here), as written and after an LRM and in another case.
    #[test]
    fn every_locale_string_is_recognized() {
        for l in LOCALES {
            let code = l.code;
            for p in l.media_omitted {
                assert!(media_omitted(p), "{code}: {p}");
            }
            for (p, kind) in l.omitted {
                assert_eq!(omitted_kind(p), Some(*kind), "{code}: {p}");
            }
            for p in l.deleted {
                assert!(is_deleted(p), "{code}: {p}");
                assert!(is_deleted(&format!("{p}.")), "{code}: {p}.");
            }
            for p in l.edited {
                assert_eq!(strip_edited(&format!("ok {p}")), Some("ok"), "{code}: {p}");
            }
            for open in l.attached_open {
                let line = format!("{open}00000012-PHOTO-2024-03-18-09-00-00.jpg>");
                assert_eq!(
                    attached_name(&line).map(|(n, _)| n),
                    Some("00000012-PHOTO-2024-03-18-09-00-00.jpg"),
                    "{code}: {line}"
                );
            }
            for after in l.attached_after_name {
                let line = format!("<00000012-PHOTO-2024-03-18-09-00-00.jpg{after}>");
                assert_eq!(
                    attached_name(&line).map(|(n, _)| n),
                    Some("00000012-PHOTO-2024-03-18-09-00-00.jpg"),
                    "{code}: {line}"
                );
            }
            for suffix in l.file_attached {
                let line = format!("IMG-20240318-WA0001.jpg{suffix}");
                assert_eq!(
                    attached_name(&line).map(|(n, _)| n),
                    Some("IMG-20240318-WA0001.jpg"),
                    "{code}: {line}"
                );
            }
        }
    }

    #[test]
    fn matches() {
        // Turkish iOS names the file first: `<NAME eklendi>`.
        assert_eq!(
            attached_name("<00000012-PHOTO-2021-03-01-10-00-00.jpg eklendi>"),
            Some(("00000012-PHOTO-2021-03-01-10-00-00.jpg", ""))
        );
        assert_eq!(
            attached_name("Rapor.pdf • 3 sayfa <00000013-Rapor.pdf EKLENDİ>").map(|(n, _)| n),
            None,
            "upper-case İ lowercases to i + U+0307: not the marker"
        );
        assert_eq!(
            attached_name("Rapor.pdf • 3 sayfa <00000013-Rapor.pdf eklendi>"),
            Some(("00000013-Rapor.pdf", "Rapor.pdf • 3 sayfa"))
        );
        assert_eq!(attached_name("< eklendi>"), None);
        // App strings people also write as a whole message are not placeholders.
        assert_eq!(omitted_kind("ei kuvaa"), None);
        assert_eq!(omitted_kind("fără audio"), None);
        assert_eq!(attached_name("eklendi>"), None);
        assert!(media_omitted("<media omitted>"));
        assert_eq!(omitted_kind("Video omitido"), Some(Video));
        assert!(is_deleted("This message was deleted."));
        assert_eq!(
            strip_edited("hello <This message was edited>"),
            Some("hello")
        );
        assert_eq!(
            attached_name("Resume.pdf • 2 pages <attached: 00000047-Resume.pdf>"),
            Some(("00000047-Resume.pdf", "Resume.pdf • 2 pages"))
        );
        assert_eq!(
            attached_name("IMG-20220323-WA0002.jpg (file attached)"),
            Some(("IMG-20220323-WA0002.jpg", ""))
        );
        assert_eq!(
            attached_name("2015-08-04-PHOTO-00004762.jpg <attached>"),
            Some(("2015-08-04-PHOTO-00004762.jpg", ""))
        );
        assert_eq!(attached_name("see <b>"), None);
        assert_eq!(
            attached_name("< attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg >"),
            Some(("00000042-PHOTO-2020-06-07-15-13-20.jpg", ""))
        );
    }
}
