//! A privacy checklist for doctors' own accounts and public records: what
//! to check, why, and who advises it. Menus move, so each item names the
//! setting by what it does rather than by where it is today.

use super::{
    COMPANIES_HOUSE_ADDRESS, ELECTORAL_COMMISSION_ANONYMOUS, GMC_BOUNDARIES, GMC_SOCIAL_MEDIA,
    GOVUK_OPEN_REGISTER, ICO_ERASURE,
};
use crate::sources::{self, Source};
use serde::Serialize;

/// A part of a doctor's online life or public record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Facebook,
    Instagram,
    X,
    LinkedIn,
    WhatsApp,
    PhoneAndEmail,
    DatingApps,
    SearchEngines,
    OpenRegister,
    PublicRegisters,
    Photos,
    Family,
}

impl Area {
    /// In the order a person would work through them.
    pub const ALL: [Area; 12] = [
        Area::Facebook,
        Area::Instagram,
        Area::X,
        Area::LinkedIn,
        Area::WhatsApp,
        Area::PhoneAndEmail,
        Area::DatingApps,
        Area::SearchEngines,
        Area::OpenRegister,
        Area::PublicRegisters,
        Area::Photos,
        Area::Family,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Facebook => "facebook",
            Area::Instagram => "instagram",
            Area::X => "x",
            Area::LinkedIn => "linkedin",
            Area::WhatsApp => "whatsapp",
            Area::PhoneAndEmail => "phone_and_email",
            Area::DatingApps => "dating_apps",
            Area::SearchEngines => "search_engines",
            Area::OpenRegister => "open_register",
            Area::PublicRegisters => "public_registers",
            Area::Photos => "photos",
            Area::Family => "family",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Facebook => "Facebook",
            Area::Instagram => "Instagram",
            Area::X => "X (formerly Twitter)",
            Area::LinkedIn => "LinkedIn",
            Area::WhatsApp => "WhatsApp",
            Area::PhoneAndEmail => "Your personal phone number and email",
            Area::DatingApps => "Dating apps",
            Area::SearchEngines => "Search engines and people-finder sites",
            Area::OpenRegister => "The electoral register (the 'open register')",
            Area::PublicRegisters => {
                "Companies House and other public registers: your home address"
            }
            Area::Photos => "Photos and location tags",
            Area::Family => "Your family's accounts",
        }
    }

    /// One sentence on why the area matters.
    pub fn summary(self) -> &'static str {
        match self {
            Area::Facebook => {
                "A public profile tells a stranger where you live, who your family are and what you like."
            }
            Area::Instagram => {
                "Photos and stories show places, routines and people, often as they happen."
            }
            Area::X => "Public posts and replies can be read, searched and collected by anyone.",
            Area::LinkedIn => {
                "A professional profile is meant to be found; make sure it leads only to the practice."
            }
            Area::WhatsApp => {
                "Anyone who has your number can see what WhatsApp shows them, and can message you."
            }
            Area::PhoneAndEmail => {
                "A personal number or address, once a patient has it, is hard to take back."
            }
            Area::DatingApps => "You may be shown to, and match with, people you treat.",
            Area::SearchEngines => {
                "What a search of your name finds is what a determined patient will find."
            }
            Area::OpenRegister => {
                "Anyone can buy the open version of the electoral register, and people-finder sites use it."
            }
            Area::PublicRegisters => {
                "Company and other public registers can show a home address to anyone who looks."
            }
            Area::Photos => {
                "A photo can carry the exact place it was taken, and show more than you meant."
            }
            Area::Family => "Your family's public posts can reveal what your own settings hide.",
        }
    }
}

/// One thing to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// Stable id, `area.what` (for anchors and tests).
    pub id: &'static str,
    pub area: Area,
    /// What to check or change.
    pub check: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// Who advises it (at least one).
    pub sources: &'static [Source],
}

const fn item(
    id: &'static str,
    area: Area,
    check: &'static str,
    why: &'static str,
    sources: &'static [Source],
) -> ChecklistItem {
    ChecklistItem {
        id,
        area,
        check,
        why,
        sources,
    }
}

use Area::*;

const MDU_PRIVACY: &[Source] = &[sources::MDU_AMOROUS, sources::MDDUS_BOUNDARIES];
const NO_REPLY: &[Source] = &[sources::MDU_SOCIAL, sources::MDU_AMOROUS];
const FINDABLE: &[Source] = &[sources::MDU_SOCIAL];
const POSTING: &[Source] = &[sources::MDDUS_BOUNDARIES, GMC_SOCIAL_MEDIA];

/// The checklist, grouped by area in [`Area::ALL`] order.
pub const CHECKLIST: &[ChecklistItem] = &[
    item(
        "facebook.audience",
        Facebook,
        "Set who can see your future posts to Friends (or narrower), and use the option that limits the audience of your past posts too.",
        "A patient found out a GP's favourite flowers from her public Facebook page and sent them to her.",
        FINDABLE,
    ),
    item(
        "facebook.profile-details",
        Facebook,
        "Make your friends list, workplace, home town, relationship and family details visible only to you or to friends.",
        "These details let someone find your home, your partner and your children.",
        MDU_PRIVACY,
    ),
    item(
        "facebook.lookup",
        Facebook,
        "Limit who can send you friend requests, and turn off being found by your email address or phone number and being linked to from search engines outside Facebook.",
        "A patient who knows your name should not be able to reach your profile in one search.",
        MDU_PRIVACY,
    ),
    item(
        "facebook.patients",
        Facebook,
        "Do not accept friend requests from patients, and do not answer their messages, even to decline politely. Keep a screenshot of any message and record it in Palisade.",
        "A reply on a personal channel is outside the professional relationship; the message itself may be evidence.",
        NO_REPLY,
    ),
    item(
        "instagram.private",
        Instagram,
        "Make your account private and review who follows you; remove followers you do not know.",
        "A public account shows your posts and stories to anyone, including patients.",
        MDU_PRIVACY,
    ),
    item(
        "instagram.discovery",
        Instagram,
        "Turn off suggesting your account to others and finding you through your contacts, and hide your activity status.",
        "Contact syncing can put your profile in front of anyone who has your number, including a patient.",
        MDU_PRIVACY,
    ),
    item(
        "instagram.tags",
        Instagram,
        "Choose who can tag and mention you, and approve tags before they appear on your profile.",
        "Other people's posts can tag you at a place or an event and show where you are.",
        POSTING,
    ),
    item(
        "x.protect",
        X,
        "Consider protecting your posts (only approved followers see them), and turn off being found by your email address or phone number.",
        "Public posts can be searched and collected by anyone, including someone building a picture of your life.",
        MDU_PRIVACY,
    ),
    item(
        "x.messages",
        X,
        "Allow direct messages only from people you follow, and turn off photo tagging and location on posts.",
        "Open direct messages give a patient a way to reach you that the practice cannot see.",
        NO_REPLY,
    ),
    item(
        "linkedin.contact",
        LinkedIn,
        "Show the practice as the way to contact you: no personal phone number, personal email or home town in your contact details.",
        "Patients need a professional route; a personal one invites contact you cannot manage.",
        &[sources::PREVENTION_BLOG, sources::MDU_AMOROUS],
    ),
    item(
        "linkedin.statement",
        LinkedIn,
        "Add a boundary statement to your profile (use the generator on the previous page) saying you do not answer patients here and how to contact the practice.",
        "Patients should not have to guess that messages to you personally go unanswered.",
        &[sources::PREVENTION_BLOG],
    ),
    item(
        "linkedin.visibility",
        LinkedIn,
        "Check who can see your connections and whether people can find you by your email address or phone number.",
        "Your connections can lead to colleagues, friends and family.",
        MDU_PRIVACY,
    ),
    item(
        "whatsapp.visibility",
        WhatsApp,
        "Set your profile photo, About, Last seen and Online to My contacts (or Nobody).",
        "Anyone with your number can otherwise see your photo and when you are online.",
        MDU_PRIVACY,
    ),
    item(
        "whatsapp.groups",
        WhatsApp,
        "Allow only your contacts to add you to groups, and consider silencing calls from unknown numbers.",
        "Groups expose your number to every member; unknown calls can be a patient.",
        MDU_PRIVACY,
    ),
    item(
        "whatsapp.work",
        WhatsApp,
        "Do not use your personal WhatsApp with patients. Use the practice's own systems, and keep a screenshot of any message a patient sends you there.",
        "Messages on a personal channel stray outside the professional relationship.",
        NO_REPLY,
    ),
    item(
        "phone.withhold",
        PhoneAndEmail,
        "If you ever have to call a patient from your own mobile, withhold your number; better, use the practice's phone system.",
        "Once a patient has your personal number, the only way to take it back is to change it.",
        &[sources::MDU_AMOROUS],
    ),
    item(
        "phone.change",
        PhoneAndEmail,
        "If a patient already has your personal number or email address, consider changing it, and tell only people you trust.",
        "Changing a number or an address may be the only way to stop a patient's contact.",
        &[sources::MDU_AMOROUS],
    ),
    item(
        "dating.profile",
        DatingApps,
        "Leave out your surname, your workplace and anything that pins down where you work; a job title alone (\"doctor\") is enough, or nothing.",
        "Doctors can end up talking to a patient on a dating app without knowing it.",
        &[sources::MDDUS_BOUNDARIES],
    ),
    item(
        "dating.photos",
        DatingApps,
        "Use photos that you have not posted anywhere else, and no photos taken at work or in uniform.",
        "A reverse image search can link a dating photo to your other accounts and your name.",
        FINDABLE,
    ),
    item(
        "dating.location",
        DatingApps,
        "Turn off showing your exact distance where the app allows, and use any option to hide your profile from people in your phone's contacts.",
        "Precise distance, updated as you move, can help someone work out where you live.",
        MDU_PRIVACY,
    ),
    item(
        "dating.patients",
        DatingApps,
        "If you match with a patient, do not pursue it: unmatch, and talk to your defence organisation if they keep contacting you.",
        "You must not pursue a sexual or improper emotional relationship with a current patient.",
        &[GMC_BOUNDARIES, sources::MDDUS_BOUNDARIES],
    ),
    item(
        "search.yourself",
        SearchEngines,
        "Search for your name with your town, the practice's name and \"doctor\" or \"GP\", in web and image search, and note what shows your home, family or routine.",
        "A GP's personal details, found online, were used to approach her.",
        FINDABLE,
    ),
    item(
        "search.people-finders",
        SearchEngines,
        "Check people-finder and directory sites for your home address and phone number and use their opt-out or removal process.",
        "These sites combine the open register, company records and other sources into one page about you.",
        &[ICO_ERASURE],
    ),
    item(
        "search.removal",
        SearchEngines,
        "Ask search engines to remove results that show your home address or personal phone number; they have forms for this.",
        "You have the right to ask for personal data to be erased in many circumstances.",
        &[ICO_ERASURE],
    ),
    item(
        "register.opt-out",
        OpenRegister,
        "Opt out of the open register: tell your local council's electoral registration office (you can do this at any time, and when you register).",
        "The open register can be bought by anyone; opting out does not affect your right to vote.",
        &[GOVUK_OPEN_REGISTER],
    ),
    item(
        "register.anonymous",
        OpenRegister,
        "If your safety is at risk, ask your electoral registration office about registering anonymously; the application needs evidence such as a court order or an attestation from, for example, a senior police officer.",
        "An anonymous entry keeps your name and address off both versions of the register.",
        &[ELECTORAL_COMMISSION_ANONYMOUS],
    ),
    item(
        "registers.companies-house",
        PublicRegisters,
        "If you are or were a director or partner of a company or LLP (a practice company, a private clinic), give a service address rather than your home, and check older filings: Companies House lets you apply to have a home address removed from documents already on the register.",
        "The register is public and searchable by name.",
        &[COMPANIES_HOUSE_ADDRESS],
    ),
    item(
        "registers.others",
        PublicRegisters,
        "Check every other register or directory that lists you (regulators, the ICO's register of fee payers, private practice and insurers' directories) and make sure each shows a work address, never your home.",
        "Any public listing with your home address undoes the care you take elsewhere.",
        FINDABLE,
    ),
    item(
        "photos.location",
        Photos,
        "Turn off location in your camera's settings, or remove it before sharing, and do not tag your home, your children's school or your regular places.",
        "A photo's hidden location data can give the exact spot where it was taken.",
        POSTING,
    ),
    item(
        "photos.content",
        Photos,
        "Before posting, look for house numbers, street names, car registrations and school uniforms in the picture, and post about places after you have left them.",
        "Details in the background, or a post made on the spot, show where you are and when.",
        POSTING,
    ),
    item(
        "family.accounts",
        Family,
        "Ask your partner, children and close family to keep their accounts private, not to tag you or your home, and not to post your address, workplace or plans.",
        "Harassment can reach a doctor's family, and their posts can show what your settings hide.",
        &[sources::MDU_UNWANTED, sources::MDDUS_BOUNDARIES],
    ),
    item(
        "family.tell",
        Family,
        "If a patient is already harassing you, tell the people you live with what to do if the patient contacts or approaches them, and record anything they report in Palisade.",
        "Family members may be approached or drawn in; if anyone is at risk of harm, call the police.",
        &[sources::MDU_UNWANTED],
    ),
];

/// The items of one area, in checklist order.
pub fn items_in(area: Area) -> impl Iterator<Item = &'static ChecklistItem> {
    CHECKLIST.iter().filter(move |i| i.area == area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_area_has_items_and_every_item_a_source() {
        for area in Area::ALL {
            assert!(
                items_in(area).count() >= 2,
                "{area:?} has fewer than two items"
            );
            assert!(!area.summary().is_empty() && !area.title().is_empty());
        }
        for i in CHECKLIST {
            assert!(!i.sources.is_empty(), "{} has no source", i.id);
            assert!(!i.check.is_empty() && !i.why.is_empty(), "{}", i.id);
            assert!(i.check.ends_with('.') && i.why.ends_with('.'), "{}", i.id);
        }
    }

    #[test]
    fn ids_are_unique_and_items_are_grouped_in_area_order() {
        let mut seen = HashSet::new();
        for i in CHECKLIST {
            assert!(seen.insert(i.id), "duplicate id {}", i.id);
            assert!(!i.id.contains(char::is_whitespace), "{}", i.id);
        }
        let order: Vec<Area> = CHECKLIST.iter().map(|i| i.area).collect();
        let mut sorted = order.clone();
        sorted.sort_by_key(|a| Area::ALL.iter().position(|x| x == a));
        assert_eq!(order, sorted, "items follow Area::ALL");
        let areas: HashSet<&str> = Area::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(areas.len(), Area::ALL.len());
    }

    #[test]
    fn the_areas_the_issue_names_are_covered() {
        let has = |area: Area, words: &str| {
            items_in(area).any(|i| i.check.to_lowercase().contains(words))
        };
        assert!(has(OpenRegister, "opt out of the open register"));
        assert!(has(PublicRegisters, "service address"));
        assert!(has(Photos, "location"));
        assert!(has(Family, "private"));
        assert!(has(DatingApps, "patient"));
        assert!(has(SearchEngines, "people-finder"));
        assert!(has(Facebook, "friend requests"));
    }
}
