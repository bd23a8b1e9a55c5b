// A sentence-embedding web service on SimdCheckpoint: POST /embed turns texts into vectors, POST /search ranks a small
// corpus (model/corpus.txt, embedded at start-up) by cosine similarity to a query. The encoder is compiled from
// model/encoder.onnx at build time; every vector has the same bits whatever the batch, the load or the machine.
using EmbeddingService;

WebApplication app = EmbeddingApp.Build(args);
app.Run();
