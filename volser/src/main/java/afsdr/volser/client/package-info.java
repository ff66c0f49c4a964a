/** A client of one volserver ({@link afsdr.volser.client.VolserClient}), with the fallbacks vos makes. */
package afsdr.volser.client;
