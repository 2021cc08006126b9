package offsets

import "context"

// Store keeps source offsets: opaque values (Kafka Connect offset JSON)
// under opaque keys (see [Key]).
//
// Concurrency: Load, Commit and Close may be called from any goroutine;
// implementations serialise what needs it. Commits for one key take effect in
// the order their calls return: a Commit that returned before another one
// started is never applied after it. Callers that want a defined order among
// concurrent Commits for the same key must order the calls themselves (the
// connector commits from a single goroutine).
//
// Cancellation: a cancelled or expired ctx makes Load or Commit return the
// context's error, wrapped. A Commit that returned an error may still have
// been stored (the write can succeed after the caller gave up waiting); it
// is never applied after a later successful Commit for the same key.
type Store interface {
	// Load returns the value last committed for key, or (nil, nil) when
	// there is none (never committed, or deleted with a nil value).
	Load(ctx context.Context, key []byte) ([]byte, error)
	// Commit stores value under key and returns once it is durable (for
	// Kafka: acknowledged by all in-sync replicas). A nil value deletes
	// the key. Commit does not keep key or value after it returns.
	Commit(ctx context.Context, key, value []byte) error
	// Close releases the store's resources. Calls after Close fail.
	Close()
}
