package annotate

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyJWT(t *testing.T) {
	claims := jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()}
	hs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("s3cr3t"))
	if err := VerifyJWT(hs, []byte("s3cr3t"), nil); err != nil {
		t.Errorf("right secret: %v", err)
	}
	if err := VerifyJWT(hs, []byte("wrong"), nil); err == nil {
		t.Error("a wrong secret verified")
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	rs, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err := VerifyJWT(rs, nil, pubPEM); err != nil {
		t.Errorf("RS256 with its public key: %v", err)
	}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := VerifyJWT(rs, nil, privPEM); err != nil {
		t.Errorf("RS256 with the private key's public half: %v", err)
	}
	// Alg confusion: an HS256 token whose "secret" is the public key's PEM
	// must not verify against that RSA key.
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(pubPEM)
	if err := VerifyJWT(forged, nil, pubPEM); err == nil {
		t.Error("an HS256 token verified against an RSA public key")
	}
	if err := VerifyJWT(rs, nil, []byte("not pem")); !errors.Is(err, ErrBadKey) {
		t.Errorf("garbage key: %v", err)
	}
	none := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
	if err := VerifyJWT(none, []byte("s3cr3t"), nil); err == nil {
		t.Error(`alg "none" verified`)
	}
}
