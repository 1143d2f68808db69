//! A plan as a reader sees it. Plans made now cite their sources by number ("[3]");
//! plans saved before that cite them by the keys of the protocol files ("[CF 21]",
//! "(seed 000)"). Readers (the window, the text plan, the handout, the consent form)
//! see every plan with numbered references; the saved plan itself is never changed.

use std::borrow::Cow;

use super::plan::Plan;
use crate::catalog::Citer;

/// Calls `$visit` with every text of a plan a reader sees; written once for shared
/// and for mutable access (`for_each_text!(plan; visit)` or `(plan, mut; visit)`).
macro_rules! for_each_text {
    ($plan:ident $(, $m:ident)?; $visit:expr) => {{
        let visit = $visit;
        visit(& $($m)? $plan.summary);
        visit(& $($m)? $plan.evidence);
        visit(& $($m)? $plan.downtime);
        visit(& $($m)? $plan.additional_costs);
        visit(& $($m)? $plan.maintenance.description);
        for warning in & $($m)? $plan.warnings {
            visit(& $($m)? warning.message);
            if let Some(action) = & $($m)? warning.action {
                visit(& $($m)? action.text);
            }
        }
        for note in & $($m)? $plan.regulatory.notes {
            visit(& $($m)? note.note);
        }
        for session in & $($m)? $plan.sessions {
            for step in & $($m)? session.steps {
                visit(& $($m)? step.text);
                for text in [& $($m)? step.site, & $($m)? step.volume, & $($m)? step.for_patient]
                    .into_iter()
                    .flatten()
                {
                    visit(text);
                }
            }
        }
        for task in & $($m)? $plan.pre_procedure {
            visit(& $($m)? task.task);
        }
        for item in & $($m)? $plan.aftercare {
            visit(& $($m)? item.task);
        }
        for milestone in & $($m)? $plan.milestones {
            visit(& $($m)? milestone.label);
        }
        for visit_item in & $($m)? $plan.follow_ups {
            visit(& $($m)? visit_item.purpose);
            for assessment in & $($m)? visit_item.assessments {
                visit(assessment);
            }
        }
        for risk in & $($m)? $plan.risks {
            visit(& $($m)? risk.name);
            visit(& $($m)? risk.detail);
        }
        for alternative in & $($m)? $plan.alternatives {
            visit(& $($m)? alternative.name);
            visit(& $($m)? alternative.comparison);
        }
    }};
}

/// Calls `map` on every text a reader sees, and returns the plan unchanged (borrowed)
/// when no text changed.
pub fn map_texts(plan: &Plan, map: impl Fn(&str) -> String) -> Cow<'_, Plan> {
    let mut changed = false;
    for_each_text!(plan; &mut |text: &String| {
        changed |= map(text) != *text;
    });
    if !changed {
        return Cow::Borrowed(plan);
    }
    let mut copy = plan.clone();
    for_each_text!(copy, mut; &mut |text: &mut String| {
        *text = map(text);
    });
    Cow::Owned(copy)
}

/// The plan with every citation by key replaced by the number of its source in the
/// plan's list of sources. A plan made now is returned as it is.
#[must_use]
pub fn readable(plan: &Plan) -> Cow<'_, Plan> {
    let citer = Citer::new(&plan.sources);
    map_texts(plan, |text| citer.numbered(text))
}
