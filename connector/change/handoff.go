package change

import "fmt"

// Handoff is what a reader returns (wrapped or not) when the part of the
// source it reads has ended for good and other parts carry on from where it
// ended: a Vitess shard replaced at a reshard, whose journal names the
// shards that replace it and their positions. Readers that end with the
// same Key are the participants of one handoff: the parts in Next start
// once Participants of them have ended, so that the new parts never run
// ahead of a participant's last changes. A reader may cover several
// participants (Covered; 0 counts as 1).
type Handoff struct {
	Key          string
	Participants int
	Covered      int
	Next         []Position
	// Reason says what happened, for the log; Unfinished what to do when
	// the other participants are not read by the task and never end.
	Reason, Unfinished string
}

func (h *Handoff) Error() string {
	return fmt.Sprintf("the reader's part ended (%s); %d parts take over after %d participants end", h.Reason, len(h.Next), h.Participants)
}
