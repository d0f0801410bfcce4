--
-- PostgreSQL database dump
--

\restrict Idcyxo32SgZrBMggXRmnXZgZkhH9bavaNz8Kzxb5AqOJL9Qr6pC8IibaGclwxjf

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: pindai_facts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pindai_facts (
    id integer NOT NULL,
    scan_id character varying(32) NOT NULL,
    target_id text NOT NULL,
    probe character varying(32) NOT NULL,
    status character varying(16) NOT NULL,
    reason text NOT NULL,
    started_at character varying(40) NOT NULL,
    duration_s double precision NOT NULL,
    data json NOT NULL
);


--
-- Name: pindai_facts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.pindai_facts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: pindai_facts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.pindai_facts_id_seq OWNED BY public.pindai_facts.id;


--
-- Name: pindai_findings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pindai_findings (
    id integer NOT NULL,
    scan_id character varying(32) NOT NULL,
    fingerprint character varying(32) NOT NULL,
    rule_id character varying(32) NOT NULL,
    target_id text NOT NULL,
    severity character varying(16) NOT NULL,
    priority double precision NOT NULL,
    status character varying(16) NOT NULL,
    data json NOT NULL
);


--
-- Name: pindai_findings_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.pindai_findings_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: pindai_findings_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.pindai_findings_id_seq OWNED BY public.pindai_findings.id;


--
-- Name: pindai_scans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pindai_scans (
    scan_id character varying(32) NOT NULL,
    started_at character varying(40) NOT NULL,
    finished_at character varying(40) NOT NULL,
    status character varying(16) NOT NULL,
    tool_version character varying(32) NOT NULL,
    rulepack_version character varying(64) NOT NULL,
    profile json NOT NULL,
    targets json NOT NULL,
    evaluated_rules json NOT NULL,
    evaluation_errors json NOT NULL
);


--
-- Name: pindai_facts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_facts ALTER COLUMN id SET DEFAULT nextval('public.pindai_facts_id_seq'::regclass);


--
-- Name: pindai_findings id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_findings ALTER COLUMN id SET DEFAULT nextval('public.pindai_findings_id_seq'::regclass);


--
-- Data for Name: pindai_facts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.pindai_facts VALUES (1, '0a0a0a0a01', 'https://portal.contoh.go.id/', 'tls', 'ok', '', '', 0, '{"protocols": ["SSLv3"]}');
INSERT INTO public.pindai_facts VALUES (2, '0a0a0a0a01', 'postgresql://pindai@db.contoh.go.id/simpeg', 'database', 'ok', '', '', 0, '{"ssl": false}');
INSERT INTO public.pindai_facts VALUES (3, '0a0a0a0a02', 'https://portal.contoh.go.id/', 'tls', 'ok', '', '', 0, '{"protocols": ["SSLv3"]}');
INSERT INTO public.pindai_facts VALUES (4, '0a0a0a0a02', 'postgresql://pindai@db.contoh.go.id/simpeg', 'database', 'ok', '', '', 0, '{"ssl": false}');


--
-- Data for Name: pindai_findings; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.pindai_findings VALUES (1, '0a0a0a0a01', 'ec1fc0aa8b8802df351081a0deb8f783', 'PND-TLS-001', 'https://portal.contoh.go.id/', 'high', 50, 'open', '{"rule_id": "PND-TLS-001", "target_id": "https://portal.contoh.go.id/", "item_key": "SSLv3", "severity": "high", "priority": 50.0, "title": {"id": "judul", "en": "title"}, "message": {"id": "pesan", "en": "message"}, "evidence": {"name": "SSLv3"}, "references": ["uu-pdp-2022:35"], "probe": "tls", "agency": "Diskominfo", "sensitivity": "none", "confidence": "high", "status": "open", "suppression": null, "baseline": "", "fingerprint": "ec1fc0aa8b8802df351081a0deb8f783"}');
INSERT INTO public.pindai_findings VALUES (2, '0a0a0a0a01', 'fedad60ba25f1785ff8988d78b573372', 'PND-DB-001', 'postgresql://pindai@db.contoh.go.id/simpeg', 'critical', 50, 'open', '{"rule_id": "PND-DB-001", "target_id": "postgresql://pindai@db.contoh.go.id/simpeg", "item_key": "ssl", "severity": "critical", "priority": 50.0, "title": {"id": "judul", "en": "title"}, "message": {"id": "pesan", "en": "message"}, "evidence": {"name": "ssl"}, "references": ["uu-pdp-2022:35"], "probe": "database", "agency": "BKPSDM", "sensitivity": "none", "confidence": "high", "status": "open", "suppression": null, "baseline": "", "fingerprint": "fedad60ba25f1785ff8988d78b573372"}');
INSERT INTO public.pindai_findings VALUES (3, '0a0a0a0a02', 'fedad60ba25f1785ff8988d78b573372', 'PND-DB-001', 'postgresql://pindai@db.contoh.go.id/simpeg', 'critical', 50, 'open', '{"rule_id": "PND-DB-001", "target_id": "postgresql://pindai@db.contoh.go.id/simpeg", "item_key": "ssl", "severity": "critical", "priority": 50.0, "title": {"id": "judul", "en": "title"}, "message": {"id": "pesan", "en": "message"}, "evidence": {"name": "ssl"}, "references": ["uu-pdp-2022:35"], "probe": "database", "agency": "BKPSDM", "sensitivity": "none", "confidence": "high", "status": "open", "suppression": null, "baseline": "", "fingerprint": "fedad60ba25f1785ff8988d78b573372"}');


--
-- Data for Name: pindai_scans; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.pindai_scans VALUES ('0a0a0a0a01', '2026-11-01T01:00:00+00:00', '2026-11-01T01:05:00+00:00', 'complete', '0.1.0', 'v1', '{"name": "mingguan", "path": "/etc/pindai/mingguan.toml"}', '[{"kind": "url", "location": "https://portal.contoh.go.id/", "agency": "Diskominfo", "exposure": "internet", "name": "", "password_env": "", "options": {}, "declared_at": "", "zone": "", "id": "https://portal.contoh.go.id/", "host": "portal.contoh.go.id"}, {"kind": "database", "location": "postgresql://pindai@db.contoh.go.id/simpeg", "agency": "BKPSDM", "exposure": "unknown", "name": "", "password_env": "", "options": {}, "declared_at": "", "zone": "", "id": "postgresql://pindai@db.contoh.go.id/simpeg", "host": "db.contoh.go.id"}]', '["PND-TLS-001", "PND-DB-001"]', '[]');
INSERT INTO public.pindai_scans VALUES ('0a0a0a0a02', '2026-11-08T01:00:00+00:00', '2026-11-08T01:05:00+00:00', 'complete', '0.1.0', 'v1', '{"name": "mingguan", "path": "/etc/pindai/mingguan.toml"}', '[{"kind": "url", "location": "https://portal.contoh.go.id/", "agency": "Diskominfo", "exposure": "internet", "name": "", "password_env": "", "options": {}, "declared_at": "", "zone": "", "id": "https://portal.contoh.go.id/", "host": "portal.contoh.go.id"}, {"kind": "database", "location": "postgresql://pindai@db.contoh.go.id/simpeg", "agency": "BKPSDM", "exposure": "unknown", "name": "", "password_env": "", "options": {}, "declared_at": "", "zone": "", "id": "postgresql://pindai@db.contoh.go.id/simpeg", "host": "db.contoh.go.id"}]', '["PND-TLS-001", "PND-DB-001"]', '[]');


--
-- Name: pindai_facts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.pindai_facts_id_seq', 4, true);


--
-- Name: pindai_findings_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.pindai_findings_id_seq', 3, true);


--
-- Name: pindai_facts pindai_facts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_facts
    ADD CONSTRAINT pindai_facts_pkey PRIMARY KEY (id);


--
-- Name: pindai_findings pindai_findings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_findings
    ADD CONSTRAINT pindai_findings_pkey PRIMARY KEY (id);


--
-- Name: pindai_scans pindai_scans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_scans
    ADD CONSTRAINT pindai_scans_pkey PRIMARY KEY (scan_id);


--
-- Name: pindai_facts uq_pindai_facts_observation; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_facts
    ADD CONSTRAINT uq_pindai_facts_observation UNIQUE (scan_id, target_id, probe);


--
-- Name: pindai_findings uq_pindai_findings_fingerprint; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_findings
    ADD CONSTRAINT uq_pindai_findings_fingerprint UNIQUE (scan_id, fingerprint);


--
-- Name: ix_pindai_facts_scan_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_pindai_facts_scan_id ON public.pindai_facts USING btree (scan_id);


--
-- Name: ix_pindai_findings_fingerprint; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_pindai_findings_fingerprint ON public.pindai_findings USING btree (fingerprint);


--
-- Name: ix_pindai_findings_scan_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_pindai_findings_scan_id ON public.pindai_findings USING btree (scan_id);


--
-- Name: pindai_facts pindai_facts_scan_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_facts
    ADD CONSTRAINT pindai_facts_scan_id_fkey FOREIGN KEY (scan_id) REFERENCES public.pindai_scans(scan_id) ON DELETE CASCADE;


--
-- Name: pindai_findings pindai_findings_scan_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pindai_findings
    ADD CONSTRAINT pindai_findings_scan_id_fkey FOREIGN KEY (scan_id) REFERENCES public.pindai_scans(scan_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict Idcyxo32SgZrBMggXRmnXZgZkhH9bavaNz8Kzxb5AqOJL9Qr6pC8IibaGclwxjf

