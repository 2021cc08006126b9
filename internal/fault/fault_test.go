package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestDefiniteSurvivesWrapping(t *testing.T) {
	base := errors.New("bad password")
	err := fmt.Errorf("connecting: %w", Definite(base))
	if !IsDefinite(err) {
		t.Fatalf("IsDefinite(%v) = false after wrapping", err)
	}
	if !errors.Is(err, base) {
		t.Fatalf("the cause is lost: errors.Is(%v, base) = false", err)
	}
	if IsDefinite(fmt.Errorf("read: %w", errors.New("connection reset"))) {
		t.Fatal("an unmarked error counts as definite")
	}
	if Definite(nil) != nil {
		t.Fatal("Definite(nil) is not nil")
	}
	if d := Definite(err); d != err {
		t.Fatal("marking a definite error again wraps it twice")
	}
}

func TestPositionUnavailableIsFoundThroughDefinite(t *testing.T) {
	err := Definite(fmt.Errorf("%w: oldest binlog starts after 0-1-9", ErrPositionUnavailable))
	if !errors.Is(err, ErrPositionUnavailable) || !IsDefinite(err) {
		t.Fatalf("%v: want definite and ErrPositionUnavailable", err)
	}
}
