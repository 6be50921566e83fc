package page

import (
	"math"
	"testing"
	"time"
)

// Lighthouse's deciles: a day covers 60% of return visits, a week 90%, a
// year all of them; 0.925 falls at about 96.5 days.
func TestHitProbability(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want float64
	}{
		{0, 0}, {-time.Hour, 0}, {12 * time.Minute, 0.1}, {24 * time.Hour, 0.6}, {168 * time.Hour, 0.9},
		{2316 * time.Hour, 0.925}, {8760 * time.Hour, 1}, {20000 * time.Hour, 1}, {36 * time.Hour, 0.65},
	} {
		if got := hitProbability(c.d); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("hitProbability(%v) = %v, want %v", c.d, got, c.want)
		}
	}
}
