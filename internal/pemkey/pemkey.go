// Package pemkey reads encrypted PKCS#8 private keys in PEM ("ENCRYPTED
// PRIVATE KEY"), as Kafka's PEM key stores take them with ssl.key.password:
// PBES2 with PBKDF2 and AES-CBC or DES-EDE3-CBC, what `openssl pkcs8
// -topk8` writes. OpenSSL's older encrypted form ("Proc-Type: 4,ENCRYPTED"
// headers) Kafka does not read, and neither does Sluice.
package pemkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
)

// ErrLegacy is Decrypt's error for a key in OpenSSL's traditional
// encrypted form.
var ErrLegacy = errors.New("the private key is encrypted in OpenSSL's traditional form (Proc-Type header), which Kafka does not read either; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in <key> -out <key.p8>`")

// Encrypted reports whether PEM data holds an encrypted private key.
func Encrypted(data []byte) bool {
	for len(data) > 0 {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			return false
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != "" {
			return true
		}
	}
	return false
}

// Decrypt returns PEM data with each "ENCRYPTED PRIVATE KEY" block
// replaced by the "PRIVATE KEY" it holds, opened with password; other
// blocks stay as they are.
func Decrypt(data []byte, password string) ([]byte, error) {
	var out bytes.Buffer
	for len(data) > 0 {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		switch {
		case b.Headers["Proc-Type"] != "":
			return nil, ErrLegacy
		case b.Type == "ENCRYPTED PRIVATE KEY":
			if password == "" {
				return nil, errors.New("the private key is encrypted and no key password is set")
			}
			der, err := decryptPKCS8(b.Bytes, []byte(password))
			if err != nil {
				return nil, err
			}
			b = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
		}
		if err := pem.Encode(&out, b); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

type algorithm struct {
	OID    asn1.ObjectIdentifier
	Params asn1.RawValue `asn1:"optional"`
}

type encryptedKeyInfo struct {
	Algo algorithm
	Data []byte
}

type pbes2Params struct {
	KDF    algorithm
	Cipher algorithm
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int       `asn1:"optional"`
	PRF        algorithm `asn1:"optional"`
}

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	prfs      = map[string]func() hash.Hash{
		"1.2.840.113549.2.7":  sha1.New,
		"1.2.840.113549.2.8":  sha256.New224,
		"1.2.840.113549.2.9":  sha256.New,
		"1.2.840.113549.2.10": sha512.New384,
		"1.2.840.113549.2.11": sha512.New,
	}
	// ciphers: key length and block cipher by OID.
	ciphers = map[string]struct {
		keyLen int
		block  func([]byte) (cipher.Block, error)
	}{
		"2.16.840.1.101.3.4.1.2":  {16, aes.NewCipher},
		"2.16.840.1.101.3.4.1.22": {24, aes.NewCipher},
		"2.16.840.1.101.3.4.1.42": {32, aes.NewCipher},
		"1.2.840.113549.3.7":      {24, des.NewTripleDESCipher},
	}
)

// decryptPKCS8 opens an EncryptedPrivateKeyInfo (RFC 5208) encrypted
// with PBES2 (RFC 8018) and returns the PKCS#8 key inside, checked.
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var info encryptedKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, errors.New("its ENCRYPTED PRIVATE KEY block is not a PKCS#8 encrypted key; make it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`")
	}
	if !info.Algo.OID.Equal(oidPBES2) {
		return nil, fmt.Errorf("the private key is encrypted with %s, not PBES2; re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`", info.Algo.OID)
	}
	var p pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Params.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("reading the private key's PBES2 parameters: %w", err)
	}
	if !p.KDF.OID.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("the private key's key derivation %s is not PBKDF2", p.KDF.OID)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(p.KDF.Params.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("reading the private key's PBKDF2 parameters: %w", err)
	}
	prf := sha1.New // RFC 8018's default
	if len(kdf.PRF.OID) > 0 {
		if prf = prfs[kdf.PRF.OID.String()]; prf == nil {
			return nil, fmt.Errorf("the private key's PBKDF2 uses the unknown function %s", kdf.PRF.OID)
		}
	}
	c, ok := ciphers[p.Cipher.OID.String()]
	if !ok {
		return nil, fmt.Errorf("the private key's cipher %s is not AES-CBC or DES-EDE3-CBC", p.Cipher.OID)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.Cipher.Params.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("reading the private key's IV: %w", err)
	}
	key, err := pbkdf2.Key(prf, string(password), kdf.Salt, kdf.Iterations, c.keyLen)
	if err != nil {
		return nil, fmt.Errorf("deriving the private key's encryption key: %w", err)
	}
	block, err := c.block(key)
	if err != nil {
		return nil, err
	}
	if len(iv) != block.BlockSize() || len(info.Data) == 0 || len(info.Data)%block.BlockSize() != 0 {
		return nil, errors.New("the encrypted private key is malformed (its IV or length does not fit its cipher)")
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	plain, ok = unpad(plain, block.BlockSize())
	if !ok {
		return nil, errors.New("the key password does not open the private key")
	}
	if _, err := x509.ParsePKCS8PrivateKey(plain); err != nil {
		return nil, errors.New("the key password does not open the private key")
	}
	return plain, nil
}

// unpad removes PKCS#7 padding; a wrong password leaves garbage, which
// its last byte rarely passes for.
func unpad(b []byte, size int) ([]byte, bool) {
	n := int(b[len(b)-1])
	if n == 0 || n > size || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
