//! A parsed webhook body as typed events, and their normalized messages.

use super::payload::{self, Content, Media, Num, RawError, RawMessage};
use crate::options::ParseOptions;
use chatwarden_model::{
    Attachment, Channel, Conversation, MediaKind, Message, MessageKind, Participant, SourceRef,
    TimeSource,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Who sent a message, seen from the business.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the customer to the business.
    Inbound,
    /// From the business (Business app or companion device) to the customer.
    Outbound,
}

/// Which webhook field carried a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `messages`: delivered live.
    Live,
    /// `smb_message_echoes`: sent from the Business app after onboarding (coexistence).
    Echo,
    /// `history`: back-filled chat history (coexistence).
    History,
}

/// A customer as `contacts[]` names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaContact {
    pub wa_id: Option<String>,
    /// Business-scoped user id (may come without `wa_id`).
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
    /// Present when the identity-change check is on; a change is worth an alert.
    pub identity_key_hash: Option<String>,
}

/// An error object (`errors[]`): code and title only, never message content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: Option<i64>,
    pub title: Option<String>,
}

/// One message-like event (a message, or the carrier of an edit, revoke or reaction).
#[derive(Clone, Debug, PartialEq)]
pub struct WaMessage {
    /// The event's own wamid.
    pub wamid: String,
    /// The `type` field (`text`, `image`, `edit`, `revoke`, `reaction`, …).
    pub kind: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The chat's counterpart: the customer's `wa_id` (or user id), or the `group_id`.
    pub customer: String,
    pub group_id: Option<String>,
    pub direction: Direction,
    pub origin: Origin,
    /// `None` when the body had no readable `timestamp`.
    pub sent_at: Option<Timestamp>,
    /// Text, caption, button or list title; empty when the type has none.
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// `context.id`: the wamid this message replies to.
    pub reply_to: Option<String>,
    /// `context.forwarded` or `frequently_forwarded`.
    pub forwarded: bool,
    /// A `system` message (number changed, identity changed).
    pub is_system: bool,
    pub errors: Vec<ApiError>,
}

/// A delivery status of an outbound message.
#[derive(Clone, Debug, PartialEq)]
pub struct WaStatus {
    /// The wamid of the business's own outbound message.
    pub wamid: String,
    /// `sent`, `delivered`, `read`, `played`, `failed`, `deleted`.
    pub status: String,
    pub at: Option<Timestamp>,
    pub recipient: Option<String>,
    pub errors: Vec<ApiError>,
}

/// Progress of a coexistence history back-fill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryProgress {
    pub phase: Option<i64>,
    pub chunk_order: Option<i64>,
    pub progress: Option<i64>,
}

/// One thing a webhook body reports.
#[derive(Clone, Debug, PartialEq)]
pub enum WebhookEvent {
    Message(WaMessage),
    /// `type: edit`: `event` carries the new content.
    Edit {
        event: WaMessage,
        original: String,
    },
    /// `type: revoke`: the sender deleted `original`.
    Revoke {
        event: WaMessage,
        original: String,
    },
    /// An empty or missing emoji means the reaction was removed.
    Reaction {
        event: WaMessage,
        target: String,
        emoji: Option<String>,
    },
    Status(WaStatus),
    Error(ApiError),
    History(HistoryProgress),
}

/// One `entry[].changes[]` element.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookChange {
    pub waba_id: Option<String>,
    /// `messages`, `smb_message_echoes`, `history`, …
    pub field: String,
    pub display_phone_number: Option<String>,
    pub phone_number_id: Option<String>,
    pub contacts: Vec<WaContact>,
    pub events: Vec<WebhookEvent>,
}

/// Everything one webhook body reports, in body order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebhookBatch {
    pub changes: Vec<WebhookChange>,
    /// Events that could not be read (no wamid, unknown shape). No content.
    pub skipped: Vec<String>,
}

fn api_error(e: &RawError) -> ApiError {
    ApiError {
        code: e.code.as_ref().and_then(Num::as_i64),
        title: e.title.clone(),
    }
}

fn ts(n: Option<&Num>) -> Option<Timestamp> {
    Timestamp::from_second(n?.as_i64()?).ok()
}

fn media(kind: MediaKind, m: &Media, default_kind: &str) -> Attachment {
    let mut placeholder = format!("{default_kind} media id {}", m.id.as_deref().unwrap_or("?"));
    if let Some(mt) = m.mime_type.as_deref() {
        placeholder.push_str(&format!(" ({mt})"));
    }
    Attachment {
        name: m.filename.clone().or_else(|| m.id.clone()),
        kind,
        included: false,
        size: None,
        content_hash: None,
        placeholder: Some(placeholder),
    }
}

/// Text and attachments of a message's typed content; true for `system`.
pub(crate) fn content(c: &Content) -> (String, Vec<Attachment>, bool) {
    let mut text = String::new();
    let mut atts = Vec::new();
    let mut system = false;
    if let Some(t) = c.text.as_ref().and_then(|t| t.body.as_deref()) {
        text.push_str(t);
    }
    let medias: [(&Option<Media>, MediaKind, &str); 5] = [
        (&c.image, MediaKind::Image, "image"),
        (&c.video, MediaKind::Video, "video"),
        (&c.audio, MediaKind::Audio, "audio"),
        (&c.document, MediaKind::Document, "document"),
        (&c.sticker, MediaKind::Sticker, "sticker"),
    ];
    for (m, kind, name) in medias {
        if let Some(m) = m {
            if let Some(cap) = m.caption.as_deref()
                && text.is_empty()
            {
                text.push_str(cap);
            }
            atts.push(media(kind, m, name));
        }
    }
    if let Some(l) = &c.location {
        let label = [l.name.as_deref(), l.address.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        if text.is_empty() {
            text.push_str(&label);
        }
        atts.push(Attachment {
            name: (!label.is_empty()).then_some(label),
            kind: MediaKind::Location,
            included: false,
            size: None,
            content_hash: None,
            placeholder: match (l.latitude, l.longitude) {
                (Some(a), Some(b)) => Some(format!("{a}, {b}")),
                _ => None,
            },
        });
    }
    for sc in &c.contacts {
        let phones = sc
            .phones
            .iter()
            .filter_map(|p| p.phone.as_deref())
            .collect::<Vec<_>>()
            .join(", ");
        atts.push(Attachment {
            name: sc.name.formatted_name.clone(),
            kind: MediaKind::Contact,
            included: false,
            size: None,
            content_hash: None,
            placeholder: (!phones.is_empty()).then_some(phones),
        });
    }
    if let Some(i) = &c.interactive {
        let reply = i
            .button_reply
            .as_ref()
            .or(i.list_reply.as_ref())
            .or(i.nfm_reply.as_ref());
        if let Some(r) = reply {
            let parts = [
                r.title.as_deref(),
                r.description.as_deref(),
                r.body.as_deref(),
                r.response_json.as_deref(),
            ];
            text.push_str(&parts.into_iter().flatten().collect::<Vec<_>>().join("\n"));
        }
    }
    if let Some(b) = &c.button {
        text.push_str(b.text.as_deref().or(b.payload.as_deref()).unwrap_or(""));
    }
    if let Some(o) = &c.order {
        let n = o.product_items.len();
        text.push_str(&format!("order of {n} item(s)"));
        if let Some(t) = o.text.as_deref() {
            text.push_str(": ");
            text.push_str(t);
        }
    }
    if let Some(s) = &c.system {
        system = true;
        text.push_str(s.body.as_deref().unwrap_or(""));
    }
    (text, atts, system)
}

struct ChangeCtx<'a> {
    business: Option<&'a str>,
    origin: Origin,
    thread: Option<&'a str>,
}

fn message_of(m: &RawMessage, ctx: &ChangeCtx<'_>) -> Option<WaMessage> {
    let wamid = m.id.clone().filter(|s| !s.is_empty())?;
    let digits = |s: &str| s.trim_start_matches('+').to_owned();
    let from_business = match (m.from.as_deref(), ctx.business) {
        (Some(f), Some(b)) => digits(f) == digits(b),
        _ => false,
    };
    let direction = match ctx.origin {
        Origin::Echo => Direction::Outbound,
        Origin::Live => Direction::Inbound,
        Origin::History if from_business => Direction::Outbound,
        Origin::History => Direction::Inbound,
    };
    let customer = match (&m.group_id, ctx.thread, direction) {
        (Some(g), _, _) => g.clone(),
        (None, Some(t), _) => t.to_owned(),
        (None, None, Direction::Outbound) => m.to.clone().unwrap_or_default(),
        (None, None, Direction::Inbound) => m.from.clone().unwrap_or_default(),
    };
    let (mut text, attachments, is_system) = match (&m.edit, &m.revoke) {
        (Some(e), _) => content(&e.message),
        (None, Some(_)) => (String::new(), Vec::new(), false),
        (None, None) => content(&m.content),
    };
    if let Some(r) = &m.reaction {
        text = r.emoji.clone().unwrap_or_default();
    }
    let ctxt = m.context.as_ref();
    Some(WaMessage {
        wamid,
        kind: m.content.kind.clone().unwrap_or_default(),
        from: m.from.clone(),
        to: m.to.clone(),
        customer,
        group_id: m.group_id.clone(),
        direction,
        origin: ctx.origin,
        sent_at: ts(m.timestamp.as_ref()),
        text,
        attachments,
        reply_to: ctxt.and_then(|c| c.id.clone()),
        forwarded: ctxt.is_some_and(|c| {
            c.forwarded.unwrap_or(false) || c.frequently_forwarded.unwrap_or(false)
        }),
        is_system,
        errors: m.errors.iter().map(api_error).collect(),
    })
}

fn event_of(
    m: &RawMessage,
    ctx: &ChangeCtx<'_>,
    skipped: &mut Vec<String>,
) -> Option<WebhookEvent> {
    let Some(event) = message_of(m, ctx) else {
        skipped.push("message without a wamid".to_owned());
        return None;
    };
    if let Some(e) = &m.edit {
        if let Some(original) = e.original_message_id.clone() {
            return Some(WebhookEvent::Edit { event, original });
        }
        skipped.push(format!("edit {} without original_message_id", event.wamid));
        return None;
    }
    if let Some(r) = &m.revoke {
        if let Some(original) = r.original_message_id.clone() {
            return Some(WebhookEvent::Revoke { event, original });
        }
        skipped.push(format!(
            "revoke {} without original_message_id",
            event.wamid
        ));
        return None;
    }
    if let Some(r) = &m.reaction {
        let Some(target) = r.message_id.clone() else {
            skipped.push(format!("reaction {} without message_id", event.wamid));
            return None;
        };
        let emoji = r.emoji.clone().filter(|e| !e.is_empty());
        return Some(WebhookEvent::Reaction {
            event,
            target,
            emoji,
        });
    }
    Some(WebhookEvent::Message(event))
}

pub(crate) fn batch_from(raw: payload::Body) -> WebhookBatch {
    let mut batch = WebhookBatch::default();
    for entry in raw.entry {
        for change in entry.changes {
            let v = change.value;
            let field = change.field.unwrap_or_default();
            let business = v.metadata.display_phone_number.clone();
            let mut events = Vec::new();
            let live = ChangeCtx {
                business: business.as_deref(),
                origin: Origin::Live,
                thread: None,
            };
            for m in &v.messages {
                events.extend(event_of(m, &live, &mut batch.skipped));
            }
            let echo = ChangeCtx {
                origin: Origin::Echo,
                ..live
            };
            for m in &v.message_echoes {
                events.extend(event_of(m, &echo, &mut batch.skipped));
            }
            for chunk in &v.history {
                events.push(WebhookEvent::History(HistoryProgress {
                    phase: chunk.metadata.phase.as_ref().and_then(Num::as_i64),
                    chunk_order: chunk.metadata.chunk_order.as_ref().and_then(Num::as_i64),
                    progress: chunk.metadata.progress.as_ref().and_then(Num::as_i64),
                }));
                for t in &chunk.threads {
                    let hist = ChangeCtx {
                        business: business.as_deref(),
                        origin: Origin::History,
                        thread: t.id.as_deref(),
                    };
                    for m in &t.messages {
                        events.extend(event_of(m, &hist, &mut batch.skipped));
                    }
                }
                events.extend(
                    chunk
                        .errors
                        .iter()
                        .map(|e| WebhookEvent::Error(api_error(e))),
                );
            }
            for s in &v.statuses {
                let Some(wamid) = s.id.clone() else {
                    batch.skipped.push("status without a wamid".to_owned());
                    continue;
                };
                events.push(WebhookEvent::Status(WaStatus {
                    wamid,
                    status: s.status.clone().unwrap_or_default(),
                    at: ts(s.timestamp.as_ref()),
                    recipient: s.recipient_id.clone(),
                    errors: s.errors.iter().map(api_error).collect(),
                }));
            }
            events.extend(v.errors.iter().map(|e| WebhookEvent::Error(api_error(e))));
            batch.changes.push(WebhookChange {
                waba_id: entry.id.clone(),
                field,
                display_phone_number: business,
                phone_number_id: v.metadata.phone_number_id.clone(),
                contacts: v
                    .contacts
                    .iter()
                    .map(|c| WaContact {
                        wa_id: c.wa_id.clone(),
                        user_id: c.user_id.clone(),
                        name: c.profile.name.clone(),
                        username: c.profile.username.clone(),
                        identity_key_hash: c.identity_key_hash.clone(),
                    })
                    .collect(),
                events,
            });
        }
    }
    batch
}

/// The conversation key of a chat between a business number and a customer.
pub(crate) fn source_key(change: &WebhookChange, customer: &str) -> String {
    let business = change
        .phone_number_id
        .as_deref()
        .or(change.display_phone_number.as_deref())
        .unwrap_or("");
    format!("whatsapp-cloud:{business}:{customer}")
}

fn participant_key(id: &str) -> String {
    format!("wa:{}", id.trim_start_matches('+'))
}

fn phone(id: &str) -> Option<String> {
    let d = id.trim_start_matches('+');
    (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())).then(|| format!("+{d}"))
}

impl WebhookChange {
    /// The profile name `contacts[]` gives a customer id.
    pub fn contact_name(&self, customer: &str) -> Option<&str> {
        self.contacts
            .iter()
            .find(|c| {
                c.wa_id.as_deref() == Some(customer) || c.user_id.as_deref() == Some(customer)
            })
            .and_then(|c| c.name.as_deref())
    }

    /// The conversation for a customer (or group) of this change.
    pub fn conversation(&self, customer: &str, opts: &ParseOptions) -> Conversation {
        let key = source_key(self, customer);
        let name = self.contact_name(customer).map(str::to_owned);
        let business = self.display_phone_number.as_deref().unwrap_or("business");
        let mut participants = vec![Participant {
            id: Participant::id_for(Channel::Whatsapp, &participant_key(customer)),
            display_name: name
                .clone()
                .or_else(|| phone(customer))
                .unwrap_or_else(|| customer.to_owned()),
            phone: phone(customer),
            is_self: false,
        }];
        participants.push(Participant {
            id: Participant::id_for(Channel::Whatsapp, &participant_key(business)),
            display_name: phone(business).unwrap_or_else(|| business.to_owned()),
            phone: phone(business),
            is_self: true,
        });
        Conversation {
            id: Conversation::id_for(Channel::Whatsapp, &key),
            channel: Channel::Whatsapp,
            title: opts
                .title
                .clone()
                .or(name)
                .or_else(|| phone(customer))
                .unwrap_or_else(|| customer.to_owned()),
            source_key: key,
            custodian: opts.custodian.clone(),
            is_group: false,
            participants,
        }
    }

    /// The normalized message for one event (`None` for statuses, errors,
    /// history progress, and events without a time).
    pub fn message(
        &self,
        conversation: &Conversation,
        event: &WebhookEvent,
        seq: u64,
        source: SourceRef,
        tz: Option<&TimeZone>,
    ) -> Option<Message> {
        let (ev, id_key, kind, text, deleted, edited) = match event {
            WebhookEvent::Message(m) => (
                m,
                m.wamid.clone(),
                if m.is_system {
                    MessageKind::System
                } else {
                    MessageKind::Message
                },
                m.text.clone(),
                false,
                false,
            ),
            WebhookEvent::Edit { event, .. } => (
                event,
                format!("edit:{}", event.wamid),
                MessageKind::Message,
                event.text.clone(),
                false,
                true,
            ),
            WebhookEvent::Revoke { event, original } => (
                event,
                format!("revoke:{}", event.wamid),
                MessageKind::System,
                format!("message {original} was deleted by its sender"),
                true,
                false,
            ),
            WebhookEvent::Reaction {
                event,
                target,
                emoji,
            } => (
                event,
                format!("reaction:{}", event.wamid),
                MessageKind::Message,
                match emoji {
                    Some(e) => format!("reacted {e} to message {target}"),
                    None => format!("removed a reaction to message {target}"),
                },
                false,
                false,
            ),
            _ => return None,
        };
        let sent_at = ev.sent_at?;
        let (sender, sender_key) = match ev.direction {
            Direction::Inbound => {
                let from = ev.from.as_deref().unwrap_or(&ev.customer);
                let name = self
                    .contact_name(from)
                    .map(str::to_owned)
                    .or_else(|| phone(from))
                    .unwrap_or_else(|| from.to_owned());
                (name, participant_key(from))
            }
            Direction::Outbound => {
                let b = self
                    .display_phone_number
                    .as_deref()
                    .or(ev.from.as_deref())
                    .unwrap_or("business");
                (phone(b).unwrap_or_else(|| b.to_owned()), participant_key(b))
            }
        };
        let zone = tz.cloned().unwrap_or(TimeZone::UTC);
        Some(Message {
            id: Message::native_id(&conversation.id, &id_key),
            conversation: conversation.id.clone(),
            seq,
            kind,
            sender: (kind == MessageKind::Message).then(|| sender.clone()),
            sender_id: (kind == MessageKind::Message)
                .then(|| Participant::id_for(Channel::Whatsapp, &sender_key)),
            sent_at,
            local_time: sent_at.to_zoned(zone).datetime(),
            time_source: TimeSource::NativeUtc,
            text,
            attachments: if matches!(
                event,
                WebhookEvent::Revoke { .. } | WebhookEvent::Reaction { .. }
            ) {
                Vec::new()
            } else {
                ev.attachments.clone()
            },
            deleted,
            edited,
            source,
            reply_to: ev
                .reply_to
                .as_deref()
                .map(|r| Message::native_id(&conversation.id, r)),
            forwarded_from: ev.forwarded.then(String::new),
        })
    }
}

impl WebhookEvent {
    /// The message-like part of the event, if it has one.
    pub fn carrier(&self) -> Option<&WaMessage> {
        match self {
            WebhookEvent::Message(m)
            | WebhookEvent::Edit { event: m, .. }
            | WebhookEvent::Revoke { event: m, .. }
            | WebhookEvent::Reaction { event: m, .. } => Some(m),
            _ => None,
        }
    }
}

impl WebhookBatch {
    /// Every event with the change it came in, in body order.
    pub fn events(&self) -> impl Iterator<Item = (&WebhookChange, &WebhookEvent)> {
        self.changes
            .iter()
            .flat_map(|c| c.events.iter().map(move |e| (c, e)))
    }

    /// The normalized messages of this body, each with its conversation.
    /// `label` names the source in each message's [`SourceRef`] (its `line` is
    /// the event's 1-based position in the body).
    pub fn messages(&self, label: &str, opts: &ParseOptions) -> Vec<(Conversation, Message)> {
        let mut out = Vec::new();
        for (i, (change, event)) in self.events().enumerate() {
            let Some(carrier) = event.carrier() else {
                continue;
            };
            let conv = change.conversation(&carrier.customer, opts);
            let source = SourceRef {
                file: label.into(),
                line: i as u64 + 1,
            };
            if let Some(m) = change.message(&conv, event, i as u64, source, opts.tz.as_ref()) {
                out.push((conv, m));
            }
        }
        out
    }
}
