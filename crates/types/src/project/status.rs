//! The workflow: a project's status, package, priority and difficulty, and which moves are allowed.

string_enum!(
    /// Where a project stands: backlog -> in_progress -> review -> complete.
    ProjectStatus { Backlog = "backlog", InProgress = "in_progress", Review = "review", Complete = "complete" }
);
string_enum!(PackageType { Express = "express", Custom = "custom", Premium = "premium" });
string_enum!(
    /// Ordered from least to most pressing.
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
);
string_enum!(Difficulty { Easy = "easy", Medium = "medium", Hard = "hard" });

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// Not a step of the workflow at all.
    NotAllowed,
    /// Reopening a complete project, which only managers may do.
    ReopenNeedsManager,
}

impl TransitionError {
    /// What to tell the person who tried `from -> to`; the server and the web app say the same.
    pub fn message(self, from: ProjectStatus, to: ProjectStatus, may_reopen: bool) -> String {
        match self {
            TransitionError::ReopenNeedsManager => "Only managers may reopen a complete project.".into(),
            TransitionError::NotAllowed => {
                let next: Vec<&str> = from.next(may_reopen).iter().map(|s| s.label()).collect();
                format!(
                    "A project cannot go from {} to {}; from {} it can go to {}.",
                    from.label(),
                    to.label(),
                    from.label(),
                    if next.is_empty() { "nowhere".to_owned() } else { next.join(" or ") }
                )
            }
        }
    }
}

impl ProjectStatus {
    /// Checks the move `self -> to`. `may_reopen` says whether the actor may take a complete
    /// project back to in_progress.
    pub fn check_transition(self, to: ProjectStatus, may_reopen: bool) -> Result<(), TransitionError> {
        use ProjectStatus::*;
        match (self, to) {
            (Backlog, InProgress) | (InProgress, Review) | (Review, Complete) | (Review, InProgress) => Ok(()),
            (Complete, InProgress) if may_reopen => Ok(()),
            (Complete, InProgress) => Err(TransitionError::ReopenNeedsManager),
            _ => Err(TransitionError::NotAllowed),
        }
    }

    /// The statuses reachable from this one, for offering only moves that can succeed.
    pub fn next(self, may_reopen: bool) -> Vec<ProjectStatus> {
        ProjectStatus::ALL.iter().copied().filter(|to| self.check_transition(*to, may_reopen).is_ok()).collect()
    }

    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Backlog => "Backlog",
            ProjectStatus::InProgress => "In progress",
            ProjectStatus::Review => "Review",
            ProjectStatus::Complete => "Complete",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_moves() {
        use ProjectStatus::*;
        assert!(Backlog.check_transition(InProgress, false).is_ok());
        assert_eq!(Backlog.check_transition(Review, true), Err(TransitionError::NotAllowed));
        assert!(Review.check_transition(InProgress, false).is_ok());
        assert_eq!(Complete.check_transition(InProgress, false), Err(TransitionError::ReopenNeedsManager));
        assert!(Complete.check_transition(InProgress, true).is_ok());
        assert_eq!(Backlog.next(false), vec![InProgress]);
        assert_eq!(
            TransitionError::NotAllowed.message(InProgress, Complete, false),
            "A project cannot go from In progress to Complete; from In progress it can go to Review."
        );
        assert_eq!(
            TransitionError::ReopenNeedsManager.message(Complete, InProgress, false),
            "Only managers may reopen a complete project."
        );
    }
}
