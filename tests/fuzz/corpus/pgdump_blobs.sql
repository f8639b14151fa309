--
-- PostgreSQL database dump
--

\restrict apLahMvi4byJ1cvhAJiu5QX8IajWMUt1kxOOmarvv7nrCZzeaSpViltvpXFSk93


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

--
-- Name: s2; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA s2;


ALTER SCHEMA s2 OWNER TO postgres;

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: eq3(integer, integer); Type: FUNCTION; Schema: public; Owner: postgres
--

CREATE FUNCTION public.eq3(integer, integer) RETURNS boolean
    LANGUAGE sql
    AS $_$select $1=$2$_$;


ALTER FUNCTION public.eq3(integer, integer) OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: t; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.t (
    id integer NOT NULL,
    x text
);


ALTER TABLE public.t OWNER TO postgres;

--
-- Name: t_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.t_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.t_id_seq OWNER TO postgres;

--
-- Name: t_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;


--
-- Name: u; Type: TABLE; Schema: s2; Owner: postgres
--

CREATE TABLE s2.u (
    a integer
);


ALTER TABLE s2.u OWNER TO postgres;

--
-- Name: t id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);


--
-- Name: 16790; Type: BLOB; Schema: -; Owner: postgres
--

SELECT pg_catalog.lo_create('16790');


ALTER LARGE OBJECT 16790 OWNER TO postgres;

--
-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.t (id, x) FROM stdin;
1	a
2	b
\.


--
-- Data for Name: u; Type: TABLE DATA; Schema: s2; Owner: postgres
--

COPY s2.u (a) FROM stdin;
\.


--
-- Name: t_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public.t_id_seq', 2, true);


--
-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -
--

BEGIN;

SELECT pg_catalog.lo_open('16790', 131072);
SELECT pg_catalog.lowrite(0, '\x6869');
SELECT pg_catalog.lo_close(0);

COMMIT;

--
-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);


--
-- PostgreSQL database dump complete
--

\unrestrict apLahMvi4byJ1cvhAJiu5QX8IajWMUt1kxOOmarvv7nrCZzeaSpViltvpXFSk93

